import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';

/** A lock older than this was left by a process that died while writing. */
const STALE_MS = 10_000;
const WAIT_MS = 200;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Takes an exclusive lock file next to the state file for the few milliseconds of a
 * read-merge-write, so that two processes never lose each other's breakers. Synchronous,
 * because the last write happens in the process's `exit` handler. Returns the unlock
 * function, or `undefined` when the lock stayed busy for `WAIT_MS` (the write then goes
 * ahead without it: the rename keeps the file whole, only a concurrent change may be lost).
 */
export function lockFile(path: string): (() => void) | undefined {
  const lock = `${path}.lock`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      return () => {
        try {
          unlinkSync(lock);
        } catch {
          // Already gone: a peer judged it stale.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > STALE_MS) unlinkSync(lock);
    } catch {
      // Released meanwhile: try again.
    }
    if (Date.now() > deadline) return undefined;
    Atomics.wait(pause, 0, 0, 2);
  }
}
