import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { waitFor } from './wait-for.js';

/** A TypeScript fixture run in its own Node process that talks in JSON lines. */
export interface Child {
  readonly process: ChildProcess;
  /** Every JSON line the child printed so far. */
  readonly messages: Record<string, unknown>[];
  send(message: Record<string, unknown>): void;
  /** Waits for a printed message that matches, and returns it. */
  expect(
    match: (message: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

export function runFixture(file: string, args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const messages: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      messages.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not one of ours: ignore.
    }
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    process: child,
    messages,
    send: (message) => child.stdin.write(`${JSON.stringify(message)}\n`),
    async expect(match, timeoutMs = 15_000) {
      let found: Record<string, unknown> | undefined;
      await waitFor(
        () => (found = messages.find(match)) !== undefined,
        timeoutMs,
        `a message from ${file}`,
      );
      return found!;
    },
    exited,
    kill: (signal = 'SIGTERM') => child.kill(signal),
  };
}
