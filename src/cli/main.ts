#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseDemoArgs } from './args.js';
import { runBench } from './bench/command.js';
import { startBenchGateway } from './bench/gateway.js';
import { runConfigCommand } from './config/command.js';
import { dashboardLines } from './demo/dashboard.js';
import { runDemo, summaryTable } from './demo/run.js';
import { runServe } from './serve/command.js';

const USAGE = `usage: breakwater <command> | --version

commands:
  demo [--fast] [--json]   run the whole story on this machine (about a minute; --fast: ~10 s);
                           --json prints the summary as JSON on stdout (the live view goes to
                           stderr); run it as \`npx breakwater demo --json\`, since npm run
                           prints its own banner on stdout
  config validate|migrate|explain
                           check a config file, migrate legacy env vars, show effective settings
  serve --config <file>    run the resilience gateway described by a gateway file
  bench <url> [--connections N] [--duration s] [--through gateway.yaml] [--json]
                           load a URL: p50/p99, requests/s, errors; direct and through the gateway
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (command === 'config') {
    const io = {
      stdout: (t: string) => process.stdout.write(t),
      stderr: (t: string) => process.stderr.write(t),
      env: process.env,
    };
    return runConfigCommand(rest, io);
  }
  if (command === 'serve') {
    return runServe(rest, {
      stdout: (t: string) => process.stdout.write(t),
      stderr: (t: string) => process.stderr.write(t),
      env: process.env,
    });
  }
  if (command === 'bench') {
    return runBench(rest, {
      stdout: (t: string) => process.stdout.write(t),
      stderr: process.stderr,
      startGateway: (file) => startBenchGateway(file, process.env),
    });
  }
  if (command !== 'demo') {
    process.stderr.write(`breakwater: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const args = parseDemoArgs(rest);
  if (typeof args === 'string') {
    process.stderr.write(`breakwater: ${args}\n\n${USAGE}`);
    return 2;
  }
  // With --json, stdout carries the summary alone; the live view (progress) and the
  // dashboard's address go to stderr.
  const live = args.json ? process.stderr : process.stdout;
  const announce = (line: string) => live.write(`${line}\n`);
  const summary = await runDemo({
    fast: args.fast,
    onDashboard: (url, token, metricsUrl) =>
      dashboardLines({ url, token, metricsUrl }).forEach(announce),
    write: announce,
  });
  process.stdout.write(
    args.json ? `${JSON.stringify(summary, null, 2)}\n` : `\n${summaryTable(summary)}\n`,
  );
  return 0;
}

/** The installed package's version: package.json sits two levels up from src/cli and dist/cli. */
function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version?: unknown };
  return String(manifest.version);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `breakwater: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
