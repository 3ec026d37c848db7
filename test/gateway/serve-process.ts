import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait-for.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** A `breakwater serve` child process. */
export interface ServeProcess {
  readonly process: ChildProcess;
  /** The client URL printed on stdout. */
  readonly url: string;
  readonly stdout: () => string;
  /** The JSON log records printed on stderr. */
  readonly logs: () => Record<string, unknown>[];
  readonly exited: Promise<number | string>;
}

export async function startServe(
  configFile: string,
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, 'serve', '--config', configFile],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(
    () => /listening on http:\/\/\S+\n/.test(out) || gone,
    20_000,
    `breakwater serve to listen (stderr: ${err.slice(0, 500)})`,
  );
  const url = /listening on (http:\/\/\S+)\n/.exec(out)?.[1];
  if (url === undefined) throw new Error(`breakwater serve did not start: ${err}`);
  const logs = (): Record<string, unknown>[] =>
    err
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { process: child, url, stdout: () => out, logs, exited };
}
