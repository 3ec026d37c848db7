import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

/** A lock older than this was left by a process that died while writing (or on another host). */
const STALE_MS = 10_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Whether the process that took the lock is gone: its pid (written in the file) answers no signal. */
function ownerIsGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
  } catch {
    return false;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes a lock whose writer died (its pid is gone, or it is older than `STALE_MS`). */
function clearStale(lock: string): void {
  try {
    if (ownerIsGone(lock) || Date.now() - statSync(lock).mtimeMs > STALE_MS) unlinkSync(lock);
  } catch {
    // Released meanwhile: try again.
  }
}

function tryLock(lock: string): (() => void) | 'busy' | undefined {
  try {
    const fd = openSync(lock, 'wx');
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    return () => {
      try {
        unlinkSync(lock);
      } catch {
        // Already gone: a peer judged it stale.
      }
    };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'busy' : undefined;
  }
}

/**
 * Takes an exclusive lock file next to the state file for the few milliseconds of a
 * read-merge-write, so that two processes never lose each other's breakers. A lock left by
 * a writer that died (SIGKILL) is removed at once, its pid being gone. Returns the unlock
 * function, `'busy'` while a live writer holds it, or `undefined` when no lock can be made
 * here (the write then goes ahead without it: the rename keeps the file whole).
 *
 * `waitMs` 0 never blocks: the caller retries later, off the event loop's back. Only the
 * write at process exit, which cannot wait asynchronously, passes a wait (a bounded spin).
 */
export function lockFile(path: string, waitMs = 0): (() => void) | 'busy' | undefined {
  const lock = `${path}.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const first = tryLock(lock);
    if (first !== 'busy') return first;
    clearStale(lock);
    const second = tryLock(lock);
    if (second !== 'busy' || Date.now() >= deadline) return second;
    Atomics.wait(pause, 0, 0, 2);
  }
}
