/**
 * `breakwater serve` as a real child process, the way an operator runs it: started from a
 * config file, its address read from what it prints, stopped with a real signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../src/cli/main.ts');

export interface Served {
  readonly url: string;
  readonly adminUrl?: string;
  readonly process: ChildProcess;
  /** Resident memory of the gateway process now, in bytes (Linux /proc). */
  rss(): number;
  /** Sends `signal` and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  /** What the process printed on stderr. */
  stderr(): string;
}

export function serve(
  configFile: string,
  options: { readonly env?: Record<string, string>; readonly admin?: boolean } = {},
): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--config', configFile], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`breakwater serve did not start within 30 s: ${stderr}`));
    }, 30_000);
    void exited.then((code) => {
      clearTimeout(bound);
      reject(new Error(`breakwater serve exited with ${code} before listening: ${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(stdout);
      if (listening?.[1] === undefined) return;
      const admin = /admin on (http:\/\/\S+)/.exec(stdout);
      if (options.admin === true && admin?.[1] === undefined) return;
      clearTimeout(bound);
      resolve({
        url: listening[1],
        ...(admin?.[1] === undefined ? {} : { adminUrl: admin[1] }),
        process: child,
        rss: () => {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
        },
        stop: (signal = 'SIGTERM') => {
          child.kill(signal);
          return exited;
        },
        stderr: () => stderr,
      });
    });
  });
}
