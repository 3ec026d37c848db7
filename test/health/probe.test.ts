import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onListenerError } from '../../src/core/events.js';
import { isTimeoutError } from '../../src/core/errors/index.js';
import { HealthProbe, isHealthCheckable, type HealthStatus } from '../../src/core/index.js';
import { ManualClock } from '../support/clock.js';
import { deferred, flush } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  onListenerError((error) => console.error(error));
});

/** A check answering from a script: true/false, or 'throw' / 'reject'. */
function scripted(answers: readonly (boolean | 'throw' | 'reject')[]) {
  let call = 0;
  return vi.fn((): boolean | Promise<boolean> => {
    const answer = answers[Math.min(call++, answers.length - 1)];
    if (answer === 'throw') throw new Error('down');
    if (answer === 'reject') return Promise.reject(new Error('connection refused'));
    return Promise.resolve(answer === true);
  });
}

describe('HealthProbe: answers', () => {
  it('resolves what the check answers, calling it once', async () => {
    const check = vi.fn(() => Promise.resolve(true));
    const probe = new HealthProbe({ check });
    await expect(probe.check()).resolves.toBe(true);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('turns a rejection, a synchronous throw and a non-true answer into false', async () => {
    for (const check of [
      scripted(['reject']),
      scripted(['throw']),
      () => Promise.resolve(undefined as unknown as boolean),
    ]) {
      const probe = new HealthProbe({ check, cacheTtlMs: 0 });
      await expect(probe.check()).resolves.toBe(false);
      expect(probe.consecutiveFailures).toBe(1);
    }
  });

  it('accepts a synchronous check', async () => {
    const probe = new HealthProbe({ check: () => true });
    await expect(probe.check()).resolves.toBe(true);
  });
});

describe('HealthProbe: cache', () => {
  it('reuses the answer within cacheTtlMs and checks again once it has passed', async () => {
    const check = vi.fn(() => Promise.resolve(true));
    const probe = new HealthProbe({ check, cacheTtlMs: 1_000 });
    await probe.check();
    await probe.check();
    expect(check).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(999);
    await probe.check();
    expect(check).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    await probe.check();
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('caches a failure too', async () => {
    const check = scripted([false, true]);
    const probe = new HealthProbe({ check, cacheTtlMs: 1_000 });
    await expect(probe.check()).resolves.toBe(false);
    await expect(probe.check()).resolves.toBe(false);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('force bypasses the cache', async () => {
    const check = vi.fn(() => Promise.resolve(true));
    const probe = new HealthProbe({ check, cacheTtlMs: 10_000 });
    await probe.check();
    await probe.check({ force: true });
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('reads time from an injected clock', async () => {
    vi.useRealTimers();
    const clock = new ManualClock(5_000);
    const check = vi.fn(() => true);
    const probe = new HealthProbe({ check, cacheTtlMs: 100, clock });
    await probe.check();
    clock.advance(99);
    await probe.check();
    expect(check).toHaveBeenCalledTimes(1);
    clock.advance(1);
    await probe.check();
    expect(check).toHaveBeenCalledTimes(2);
    expect(probe.status().lastCheckedAt).toBe(5_100);
  });

  it('never caches with cacheTtlMs 0', async () => {
    const check = vi.fn(() => Promise.resolve(true));
    const probe = new HealthProbe({ check, cacheTtlMs: 0 });
    await probe.check();
    await probe.check();
    expect(check).toHaveBeenCalledTimes(2);
  });
});

describe('HealthProbe: single flight', () => {
  it('runs one underlying check for 50 concurrent callers, forced or not', async () => {
    const gate = deferred<boolean>();
    const check = vi.fn(() => gate.promise);
    const probe = new HealthProbe({ check, cacheTtlMs: 0 });
    const answers = Array.from({ length: 50 }, (_, i) => probe.check({ force: i % 2 === 0 }));
    expect(probe.status().checking).toBe(true);
    gate.resolve(true);
    expect(await Promise.all(answers)).toEqual(Array<boolean>(50).fill(true));
    expect(check).toHaveBeenCalledTimes(1);
    expect(probe.status().checking).toBe(false);
    // The next check after it settled runs anew.
    await probe.check();
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('shares a failure the same way, counting it once', async () => {
    const gate = deferred<boolean>();
    const probe = new HealthProbe({ check: () => gate.promise, cacheTtlMs: 0 });
    const answers = Array.from({ length: 50 }, () => probe.check());
    gate.reject(new Error('down'));
    expect(new Set(await Promise.all(answers))).toEqual(new Set([false]));
    expect(probe.consecutiveFailures).toBe(1);
  });
});

describe('HealthProbe: failures and timeouts', () => {
  it('counts consecutive failures and resets the count on success', async () => {
    const probe = new HealthProbe({ check: scripted([false, false, true]), cacheTtlMs: 0 });
    await probe.check();
    expect(probe.consecutiveFailures).toBe(1);
    await probe.check();
    expect(probe.consecutiveFailures).toBe(2);
    await probe.check();
    expect(probe.consecutiveFailures).toBe(0);
  });

  it('answers false when the check outlives timeoutMs, aborting its signal', async () => {
    let seen: AbortSignal | undefined;
    const late = deferred<boolean>();
    const probe = new HealthProbe({
      check: (signal) => {
        seen = signal;
        return late.promise;
      },
      timeoutMs: 100,
      cacheTtlMs: 0,
    });
    const answer = probe.check();
    await vi.advanceTimersByTimeAsync(99);
    expect(seen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(answer).resolves.toBe(false);
    expect(probe.consecutiveFailures).toBe(1);
    expect(seen?.aborted).toBe(true);
    expect(isTimeoutError(seen?.reason)).toBe(true);
    expect(probe.status().lastError).toMatch(/TimeoutError/);
    // The late answer changes nothing.
    late.resolve(true);
    await flush();
    expect(probe.consecutiveFailures).toBe(1);
    expect(probe.status().healthy).toBe(false);
  });

  it('leaves no timer behind once a check settles', async () => {
    const probe = new HealthProbe({ check: () => Promise.resolve(true), timeoutMs: 5_000 });
    await probe.check();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('HealthProbe: unhealthy / healthy flips', () => {
  it('calls onUnhealthy once when the threshold is reached, however many failures follow', async () => {
    const onUnhealthy = vi.fn();
    const probe = new HealthProbe({
      check: scripted([false]),
      cacheTtlMs: 0,
      unhealthyThreshold: 2,
      onUnhealthy,
    });
    await probe.check();
    expect(onUnhealthy).not.toHaveBeenCalled();
    expect(probe.isUnhealthy).toBe(false);
    await probe.check();
    expect(onUnhealthy).toHaveBeenCalledTimes(1);
    expect(probe.isUnhealthy).toBe(true);
    for (let i = 0; i < 5; i++) await probe.check();
    expect(onUnhealthy).toHaveBeenCalledTimes(1);
    const status = onUnhealthy.mock.calls[0]?.[0] as HealthStatus;
    expect(status).toMatchObject({ isUnhealthy: true, consecutiveFailures: 2 });
  });

  it('calls onHealthy once on the first success after being unhealthy', async () => {
    const onHealthy = vi.fn();
    const probe = new HealthProbe({
      check: scripted([false, false, true, true]),
      cacheTtlMs: 0,
      unhealthyThreshold: 2,
      onHealthy,
    });
    await probe.check();
    await probe.check();
    await probe.check();
    expect(onHealthy).toHaveBeenCalledTimes(1);
    expect(probe.isUnhealthy).toBe(false);
    await probe.check();
    expect(onHealthy).toHaveBeenCalledTimes(1);
  });

  it('does not call onHealthy for a success that follows failures below the threshold', async () => {
    const onHealthy = vi.fn();
    const probe = new HealthProbe({
      check: scripted([false, true]),
      cacheTtlMs: 0,
      onHealthy,
    });
    await probe.check();
    await probe.check();
    expect(onHealthy).not.toHaveBeenCalled();
  });

  it('flips each time: unhealthy, healthy, unhealthy again', async () => {
    const flips: string[] = [];
    const probe = new HealthProbe({
      check: scripted([false, true, false, true]),
      cacheTtlMs: 0,
      unhealthyThreshold: 1,
    });
    probe.onUnhealthy(() => void flips.push('unhealthy'));
    probe.onHealthy(() => void flips.push('healthy'));
    for (let i = 0; i < 4; i++) await probe.check();
    expect(flips).toEqual(['unhealthy', 'healthy', 'unhealthy', 'healthy']);
  });

  it('a callback that throws or rejects changes nothing', async () => {
    const reported: unknown[] = [];
    onListenerError((error) => reported.push(error));
    const probe = new HealthProbe({
      check: scripted([false, true]),
      cacheTtlMs: 0,
      unhealthyThreshold: 1,
      onUnhealthy: () => {
        throw new Error('pager down');
      },
      onHealthy: () => Promise.reject(new Error('async pager down')),
    });
    await expect(probe.check()).resolves.toBe(false);
    expect(probe.isUnhealthy).toBe(true);
    expect(probe.consecutiveFailures).toBe(1);
    await expect(probe.check()).resolves.toBe(true);
    expect(probe.isUnhealthy).toBe(false);
    await flush();
    expect(reported.map((e) => (e as Error).message)).toEqual(['pager down', 'async pager down']);
  });

  it('stops calling a listener once unsubscribed', async () => {
    const probe = new HealthProbe({ check: scripted([false]), cacheTtlMs: 0 });
    const seen = vi.fn();
    const unsubscribe = probe.onCheck(seen);
    await probe.check();
    unsubscribe();
    unsubscribe();
    await probe.check();
    expect(seen).toHaveBeenCalledTimes(1);
    expect(seen.mock.calls[0]?.[0]).toMatchObject({ healthy: false, error: undefined });
  });
});

describe('HealthProbe: reset and status', () => {
  it('reset() forgets the cache, the count and the unhealthy flag, without a callback', async () => {
    const onHealthy = vi.fn();
    const check = scripted([false]);
    const probe = new HealthProbe({ check, unhealthyThreshold: 1, onHealthy });
    await probe.check();
    expect(probe.isUnhealthy).toBe(true);
    probe.reset();
    expect(probe.isUnhealthy).toBe(false);
    expect(probe.consecutiveFailures).toBe(0);
    expect(probe.status().healthy).toBeUndefined();
    await probe.check();
    expect(check).toHaveBeenCalledTimes(2);
    expect(onHealthy).not.toHaveBeenCalled();
  });

  it('a check started before reset() answers its callers but records nothing', async () => {
    const gate = deferred<boolean>();
    const probe = new HealthProbe({ check: () => gate.promise, unhealthyThreshold: 1 });
    const before = probe.check();
    probe.reset();
    gate.resolve(false);
    await expect(before).resolves.toBe(false);
    expect(probe.consecutiveFailures).toBe(0);
    expect(probe.isUnhealthy).toBe(false);
  });

  it('status() is a snapshot for a health endpoint', async () => {
    const gate = deferred<boolean>();
    const probe = new HealthProbe({
      name: 'postgres',
      check: () => gate.promise,
      unhealthyThreshold: 4,
    });
    expect(probe.status()).toEqual({
      name: 'postgres',
      healthy: undefined,
      isUnhealthy: false,
      consecutiveFailures: 0,
      unhealthyThreshold: 4,
      lastCheckedAt: undefined,
      lastDurationMs: undefined,
      lastError: undefined,
      checking: false,
    });
    const answer = probe.check();
    expect(probe.status().checking).toBe(true);
    await vi.advanceTimersByTimeAsync(40);
    gate.reject(new Error('ECONNREFUSED'));
    await answer;
    const status = probe.status();
    expect(status).toMatchObject({
      healthy: false,
      consecutiveFailures: 1,
      lastDurationMs: 40,
      lastCheckedAt: Date.now(),
      lastError: 'Error: ECONNREFUSED',
      checking: false,
    });
    // A snapshot: later checks do not change it.
    probe.reset();
    expect(status.consecutiveFailures).toBe(1);
    expect(JSON.parse(JSON.stringify(status))).toMatchObject({ name: 'postgres' });
  });
});

describe('HealthProbe: caller signals and HealthCheckable', () => {
  it('names the cause a fetch failure hides, and non-Error failures by their type', async () => {
    const refused = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
    const fetchLike = new HealthProbe({
      check: () => Promise.reject(new TypeError('fetch failed', { cause: refused })),
    });
    await fetchLike.check();
    expect(fetchLike.status().lastError).toBe('TypeError: fetch failed (ECONNREFUSED)');
    const odd = new HealthProbe({ check: () => Promise.reject({ status: 503 }) });
    await odd.check();
    expect(odd.status().lastError).toBe('failed with a non-Error value (object)');
  });

  it("a caller's abort rejects only that caller; the shared check goes on", async () => {
    const gate = deferred<boolean>();
    const probe = new HealthProbe({ check: () => gate.promise });
    const controller = new AbortController();
    const impatient = probe.check({ signal: controller.signal });
    const patient = probe.check();
    controller.abort(new Error('client went away'));
    await expect(impatient).rejects.toThrow('client went away');
    gate.resolve(true);
    await expect(patient).resolves.toBe(true);
    await expect(probe.check({ signal: controller.signal })).rejects.toThrow('client went away');
  });

  it('takes any HealthCheckable as its check, and is one itself', async () => {
    const database = { check: vi.fn(() => Promise.resolve(true)) };
    expect(isHealthCheckable(database)).toBe(true);
    const inner = new HealthProbe({ check: database });
    expect(isHealthCheckable(inner)).toBe(true);
    const outer = new HealthProbe({ check: inner, cacheTtlMs: 0 });
    await expect(outer.check()).resolves.toBe(true);
    expect(database.check).toHaveBeenCalledTimes(1);
  });

  it('isHealthCheckable refuses what has no check() method', () => {
    for (const value of [null, undefined, 42, 'check', {}, { check: true }, () => true]) {
      expect(isHealthCheckable(value)).toBe(false);
    }
  });
});

describe('HealthProbe: options', () => {
  it.each([
    [
      { cacheTtlMs: -1 },
      RangeError,
      'HealthProbe: cacheTtlMs must be a number ≥ 0 (or Infinity), got -1',
    ],
    [
      { timeoutMs: 0 },
      RangeError,
      'HealthProbe: timeoutMs must be a number > 0 and ≤ 2147483647 (or Infinity), got 0',
    ],
    [
      { unhealthyThreshold: 1.5 },
      RangeError,
      'HealthProbe: unhealthyThreshold must be an integer ≥ 1, got 1.5',
    ],
    [
      { unhealthyThreshold: '3' },
      TypeError,
      'HealthProbe: unhealthyThreshold must be an integer ≥ 1, got "3"',
    ],
    [
      { cacheTtlMs: Number.NaN },
      RangeError,
      'cacheTtlMs must be a number ≥ 0 (or Infinity), got NaN',
    ],
    [{ onHealthy: 'yes' }, TypeError, 'HealthProbe: onHealthy must be a function, got "yes"'],
    [
      { check: 42 },
      TypeError,
      'HealthProbe: check must be a function or an object with a check() method, got 42',
    ],
  ])('rejects %o', (bad, errorClass, message) => {
    const options = { check: () => true, ...bad } as unknown as ConstructorParameters<
      typeof HealthProbe
    >[0];
    expect(() => new HealthProbe(options)).toThrow(errorClass);
    expect(() => new HealthProbe(options)).toThrow(message);
  });

  it('has the documented defaults', () => {
    const probe = new HealthProbe({ check: () => true });
    expect([probe.cacheTtlMs, probe.timeoutMs, probe.unhealthyThreshold]).toEqual([
      30_000, 10_000, 3,
    ]);
  });
});
