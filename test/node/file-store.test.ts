import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CircuitOpenError,
  circuitBreaker,
  consecutive,
  createResilience,
} from '../../src/core/index.js';
import { fileStore } from '../../src/node/index.js';
import { runFixture } from '../support/child.js';

const fixture = fileURLToPath(new URL('./fixtures/file-breaker.ts', import.meta.url));
const failing = (): Promise<never> =>
  Promise.reject(Object.assign(new Error('down'), { status: 503 }));

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'breakwater-file-'));
  path = join(dir, 'state', 'breakers.json');
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const manualClock = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('fileStore in one process', () => {
  it('brings an open breaker back open for the rest of its open time', async () => {
    const clock = manualClock();
    const warnings: string[] = [];
    const first = fileStore(path, { onWarning: (m) => warnings.push(m) });
    const breaker = circuitBreaker({
      name: 'payments',
      store: first,
      clock,
      trip: consecutive(2),
      openMs: 30_000,
    });
    await breaker.execute(failing).catch(() => undefined);
    await breaker.execute(failing).catch(() => undefined);
    expect(breaker.state).toBe('open');
    await first.close();
    // A first start with no file yet is normal: nothing is said.
    expect(warnings).toEqual([]);

    clock.advance(10_000);
    const second = fileStore(path, { onWarning: (m) => warnings.push(m) });
    const restored = circuitBreaker({ name: 'payments', store: second, clock, openMs: 30_000 });
    expect(restored.state).toBe('open');
    const error = await restored.execute(() => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retryAfterMs).toBe(20_000);
    clock.advance(20_000);
    await expect(restored.execute(() => 'probe')).resolves.toBe('probe');
    expect(restored.state).toBe('closed');
    await second.close();
    expect(warnings).toEqual([]);
  });

  it('a disposed breaker leaves the store, and its state stays in the file for the next one', async () => {
    const clock = manualClock();
    const store = fileStore(path, { onWarning: () => undefined });
    const options = { name: 'payments', store, clock, trip: consecutive(1), openMs: 30_000 };
    const first = circuitBreaker(options);
    const peer = circuitBreaker(options);
    await first.execute(failing).catch(() => undefined);
    expect(peer.state).toBe('open');
    first.dispose();
    peer.reset();
    expect(first.state).toBe('open'); // detached: the peer's reset does not reach it
    first.isolate();
    expect(peer.state).toBe('closed'); // nor does its own transition reach the peer
    peer.dispose();
    await store.close();
    const saved = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    expect(JSON.stringify(saved)).toContain('"reset"');
    expect(JSON.stringify(saved)).not.toContain('"isolate"');

    const again = fileStore(path, { onWarning: () => undefined });
    expect(circuitBreaker({ ...options, store: again }).toJSON()).toMatchObject({
      state: 'closed',
      reason: 'reset',
    });
    await again.close();
  });

  it('debounces: a burst of transitions on many breakers is one write, after debounceMs', async () => {
    vi.useFakeTimers();
    const store = fileStore(path, { debounceMs: 500, onWarning: () => undefined });
    const breakers = Array.from({ length: 100 }, (_, i) =>
      circuitBreaker({ name: `op-${i}`, store }),
    );
    for (let round = 0; round < 10; round++) {
      for (const breaker of breakers) {
        breaker.isolate();
        breaker.reset();
      }
    }
    for (const breaker of breakers) breaker.isolate();
    expect(existsSync(path)).toBe(false);
    vi.advanceTimersByTime(499);
    expect(existsSync(path)).toBe(false);
    vi.advanceTimersByTime(1);
    const written = JSON.parse(readFileSync(path, 'utf8')) as {
      breakers: Record<string, { state: string; version: number }>;
    };
    expect(Object.keys(written.breakers)).toHaveLength(100);
    expect(written.breakers['op-7']).toMatchObject({ state: 'isolated', version: 21 });
    expect(vi.getTimerCount()).toBe(0);
    await store.close();
  });

  it('starts closed with a warning when the file is corrupt, and rewrites it whole', async () => {
    writeFileSync(join(dir, 'corrupt.json'), '{"format": "breakwater.breakers", "vers');
    const warnings: string[] = [];
    const store = fileStore(join(dir, 'corrupt.json'), { onWarning: (m) => warnings.push(m) });
    const breaker = circuitBreaker({ name: 'payments', store });
    expect(breaker.state).toBe('closed');
    expect(warnings).toEqual([expect.stringMatching(/not JSON.*rewritten/)]);
    breaker.isolate();
    await store.close();
    const text = readFileSync(join(dir, 'corrupt.json'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ breakers: { payments: { state: 'isolated' } } });
  });

  it('keeps the valid breakers of a file when one entry is damaged, and warns about a foreign file', async () => {
    const file = join(dir, 'partial.json');
    const good = {
      name: 'good',
      state: 'isolated',
      version: 3,
      reason: 'isolate',
      since: 5,
      openUntil: null,
      opens: 0,
    };
    const bad = { name: 'bad', state: 'open', version: 1 };
    writeFileSync(
      file,
      JSON.stringify({ format: 'breakwater.breakers', version: 1, breakers: { good, bad } }),
    );
    const warnings: string[] = [];
    const store = fileStore(file, { onWarning: (m) => warnings.push(m) });
    expect(circuitBreaker({ name: 'good', store }).state).toBe('isolated');
    expect(circuitBreaker({ name: 'bad', store }).state).toBe('closed');
    expect(warnings).toEqual([expect.stringContaining('breaker "bad" is not a valid snapshot')]);
    await store.close();

    writeFileSync(file, JSON.stringify({ hello: 'world' }));
    const foreign: string[] = [];
    await fileStore(file, { onWarning: (m) => foreign.push(m) }).close();
    expect(foreign).toEqual([expect.stringContaining('not a breakwater state file')]);
  });

  it('never crashes on an unwritable path or a throwing logger: it warns and calls still pass', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const warnings: string[] = [];
    const store = fileStore(join(dir, 'a-file', 'breakers.json'), {
      debounceMs: 0,
      onWarning: (m) => {
        warnings.push(m);
        throw new Error('logger broke');
      },
    });
    const breaker = circuitBreaker({ name: 'payments', store });
    breaker.isolate();
    breaker.reset();
    await expect(breaker.execute(() => 7)).resolves.toBe(7);
    await store.close();
    expect(warnings.some((m) => m.includes('could not write the state file'))).toBe(true);
  });

  it('a write that fails is tried again until it works, and health shows it meanwhile', async () => {
    vi.useFakeTimers();
    // A directory where the state file should be: every write fails, as on a full disk.
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'breakers.json'), { recursive: true });
    const warnings: string[] = [];
    const store = fileStore(join(blocked, 'breakers.json'), {
      debounceMs: 0,
      onWarning: (m) => warnings.push(m),
    });
    expect(store.status()).toEqual({ connection: 'ready' });
    const breaker = circuitBreaker({ name: 'payments', store });
    breaker.isolate();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.status()).toEqual({
      connection: 'write-failing',
      lastError: expect.stringContaining('EISDIR') as string,
    });
    // Tried again each second, warned about once.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(warnings.filter((m) => m.includes('could not write the state file'))).toHaveLength(1);
    const health = createResilience({ store }).healthStatus();
    expect(health.store?.connection).toBe('write-failing');
    // The disk frees up: the next try writes the whole state, and health is ready again.
    rmSync(join(blocked, 'breakers.json'), { recursive: true });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.status()).toEqual({ connection: 'ready' });
    expect(readFileSync(join(blocked, 'breakers.json'), 'utf8')).toContain('"isolated"');
    await store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() with a failing write tries once more and lets go: no timer, no exit listener', async () => {
    vi.useFakeTimers();
    const listeners = process.listenerCount('exit');
    mkdirSync(join(dir, 'breakers.json'));
    const warnings: string[] = [];
    const store = fileStore(join(dir, 'breakers.json'), {
      debounceMs: 10_000,
      onWarning: (m) => warnings.push(m),
    });
    circuitBreaker({ name: 'payments', store }).isolate();
    await store.close();
    expect(warnings.filter((m) => m.includes('could not write the state file'))).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(process.listenerCount('exit')).toBe(listeners);
  });

  it('close() flushes, and leaves no timer and no exit listener', async () => {
    vi.useFakeTimers();
    const listeners = process.listenerCount('exit');
    const store = fileStore(path, { debounceMs: 10_000, onWarning: () => undefined });
    circuitBreaker({ name: 'payments', store }).isolate();
    expect(vi.getTimerCount()).toBe(1);
    expect(process.listenerCount('exit')).toBe(listeners + 1);
    await store.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(process.listenerCount('exit')).toBe(listeners);
    expect(readFileSync(path, 'utf8')).toContain('"isolated"');
    await store.close();
  });

  it('rejects invalid options, naming them', () => {
    expect(() => fileStore('')).toThrow(/path must be a non-empty string/);
    expect(() => fileStore(path, { debounceMs: -1 })).toThrow(
      /debounceMs must be a finite number ≥ 0, got -1/,
    );
  });
});

describe('fileStore across processes', () => {
  it('a process that opened a breaker and exited: the next one finds it open, with the rest of its open time', async () => {
    const writer = runFixture(fixture, [path, 'open-exit']);
    const opened = await writer.expect((m) => m.event === 'opened');
    expect(await writer.exited).toBe(0);
    const reader = runFixture(fixture, [path, 'read']);
    const state = await reader.expect((m) => m.event === 'state');
    expect(await reader.exited).toBe(0);
    expect(state).toMatchObject({ state: 'open', calls: 0, warnings: [] });
    const remaining = (opened.openUntil as number) - Date.now();
    expect(state.retryAfterMs).toBeGreaterThan(remaining);
    expect(state.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('a process killed with SIGKILL after the flush: the next one finds it open', async () => {
    const victim = runFixture(fixture, [path, 'open-then-hang']);
    await victim.expect((m) => m.event === 'flushed');
    victim.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    const reader = runFixture(fixture, [path, 'read']);
    const state = await reader.expect((m) => m.event === 'state');
    expect(state).toMatchObject({ state: 'open', calls: 0 });
    expect(state.retryAfterMs).toBeGreaterThan(0);
    expect(state.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(await reader.exited).toBe(0);
  });

  it('two processes writing one file never corrupt it, and neither loses the other’s breaker', async () => {
    const writers = [
      runFixture(fixture, [path, 'writer', 'alpha', '301']),
      runFixture(fixture, [path, 'writer', 'beta', '300']),
    ];
    let reads = 0;
    const running = Promise.all(writers.map((w) => w.exited));
    let finished = false;
    void running.then(() => (finished = true));
    while (!finished) {
      if (existsSync(path)) {
        const data = JSON.parse(readFileSync(path, 'utf8')) as { format: string };
        expect(data.format).toBe('breakwater.breakers');
        reads++;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await running).toEqual([0, 0]);
    expect(reads).toBeGreaterThan(0);
    const done = await Promise.all(writers.map((w) => w.expect((m) => m.event === 'done')));
    const problems = done.flatMap((d) => d.warnings as string[]);
    expect(problems).toEqual([]);
    const final = JSON.parse(readFileSync(path, 'utf8')) as {
      breakers: Record<string, { state: string; version: number }>;
    };
    expect(final.breakers.alpha).toMatchObject({ state: 'isolated', version: 301 });
    expect(final.breakers.beta).toMatchObject({ state: 'closed', version: 300 });
    expect(readdirTemps()).toEqual([]);
  });
});

function readdirTemps(): string[] {
  return existsSync(join(dir, 'state'))
    ? readdirSyncSafe(join(dir, 'state')).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))
    : [];
}

function readdirSyncSafe(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}
