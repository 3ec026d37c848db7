import { isConfigError } from '../../core/errors/index.js';
import { formatProblems } from '../config/format.js';
import { benchUsage, parseBenchArgs, type BenchArgs } from './args.js';
import { runLoad, type LoadFigures } from './load.js';
import { progressBar } from './progress.js';
import { benchTable } from './report.js';

export { benchUsage } from './args.js';

/** A gateway started for the `--through` run; `url` maps the benched URL onto it. */
export interface BenchGateway {
  url(target: URL): URL;
  close(): Promise<void>;
}

export interface BenchIo {
  readonly stdout: (text: string) => void;
  readonly stderr: { isTTY?: boolean; write(text: string): unknown };
  /** Starts a gateway from a config file, for `--through`. */
  readonly startGateway: (configFile: string) => Promise<BenchGateway>;
}

async function measure(
  label: string,
  url: URL,
  args: BenchArgs,
  io: BenchIo,
): Promise<LoadFigures> {
  const progress = progressBar(io.stderr);
  try {
    return await runLoad({
      label,
      url,
      connections: args.connections,
      durationS: args.durationS,
      onTick: (elapsedS, answered) => progress.update(label, elapsedS, args.durationS, answered),
    });
  } finally {
    progress.done();
  }
}

/** `breakwater bench …`; resolves with the exit code (1: a bad gateway file, 2: misused). */
export async function runBench(argv: readonly string[], io: BenchIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${benchUsage}\n`);
    return 0;
  }
  const args = parseBenchArgs(argv);
  if (typeof args === 'string') {
    io.stderr.write(`breakwater bench: ${args}\n\n${benchUsage}\n`);
    return 2;
  }
  const runs = [await measure('direct', args.url, args, io)];
  if (args.through !== undefined) {
    let gateway: BenchGateway;
    try {
      gateway = await io.startGateway(args.through);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      io.stderr.write(
        `✗ ${args.through}: ${error.problems.length} problem(s)\n${formatProblems(error.problems)}\n`,
      );
      return 1;
    }
    try {
      runs.push(await measure('gateway', gateway.url(args.url), args, io));
    } finally {
      await gateway.close();
    }
  }
  io.stdout(args.json ? `${JSON.stringify({ runs }, null, 2)}\n` : `${benchTable(runs)}\n`);
  return 0;
}
