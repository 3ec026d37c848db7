import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { circuitBreaker, consecutive } from '../../src/core/index.js';
import { fileStore } from '../../src/node/index.js';
import { waitFor } from '../support/wait-for.js';

const failing = (): Promise<never> =>
  Promise.reject(Object.assign(new Error('down'), { status: 503 }));

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'breakwater-lock-'));
  path = join(dir, 'state', 'breakers.json');
  mkdirSync(dirname(path), { recursive: true });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited: what a SIGKILLed writer leaves in its lock. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function openBreakerIn(store: ReturnType<typeof fileStore>): Promise<void> {
  const breaker = circuitBreaker({ name: 'payments', store, trip: consecutive(1) });
  await breaker.execute(failing).catch(() => undefined);
  expect(breaker.state).toBe('open');
}

describe('defect 6: a lock left by a dead writer', () => {
  it('is removed at once, and the flush writes', async () => {
    writeFileSync(`${path}.lock`, String(deadPid()));
    const store = fileStore(path, { debounceMs: 0, onWarning: () => undefined });
    await openBreakerIn(store);
    store.flush();
    expect(existsSync(path)).toBe(true);
    expect(existsSync(`${path}.lock`)).toBe(false);
    await store.close();
  });

  it('a lock held by a live writer is retried on a timer, not spun on', async () => {
    // This process's own pid: a live owner.
    writeFileSync(`${path}.lock`, String(process.pid));
    const store = fileStore(path, { debounceMs: 0, onWarning: () => undefined });
    await openBreakerIn(store);
    store.flush();
    expect(existsSync(path)).toBe(false); // nothing waited for the lock on this thread
    rmSync(`${path}.lock`);
    await waitFor(() => existsSync(path), 5_000, 'the retried write');
    await store.close();
  });
});
