import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker } from '../../src/core/breaker/circuit-breaker.js';
import { consecutive } from '../../src/core/breaker/consecutive.js';
import { bulkhead } from '../../src/core/bulkhead/bulkhead.js';
import { retry } from '../../src/core/retry/policy.js';
import { chaos } from '../../src/core/chaos/chaos.js';
import { ServiceUnavailableError } from '../../src/core/errors/index.js';
import { fallback } from '../../src/core/fallback/fallback.js';
import { fallbackChain } from '../../src/core/fallback-chain/fallback-chain.js';
import { hedge } from '../../src/core/hedge/hedge.js';
import { pipeline } from '../../src/core/pipeline.js';
import { rateLimit } from '../../src/core/rate-limit/rate-limit.js';
import { staleCache } from '../../src/core/stale-cache/stale-cache.js';
import { deferred } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a pipeline of every policy', () => {
  function build() {
    let faulty = false;
    const limiter = rateLimit({ rate: 100, intervalMs: 1000, burst: 100 });
    const gate = bulkhead({ maxConcurrent: 4, maxQueue: 4 });
    const cache = staleCache<string>({ key: 'summary', ttlMs: 10_000 });
    const policy = pipeline(
      fallback({ to: 'sorry, try later', name: 'apology' }),
      fallbackChain([
        { name: 'smaller-model', priority: 1, run: () => Promise.reject(new Error('also down')) },
        { name: 'friendly-message', priority: 2, run: () => 'the summary is on its way' },
      ]),
      cache,
      limiter,
      gate,
      hedge({ delayMs: 50 }),
      chaos({ faultRate: 1, enabled: () => faulty }),
    );
    return {
      policy,
      gate,
      setFaulty: (value: boolean) => {
        faulty = value;
      },
    };
  }

  it('answers from the primary while all is well', async () => {
    const { policy } = build();
    await expect(policy.executeDetailed(() => 'fresh summary')).resolves.toEqual({
      value: 'fresh summary',
      fromFallback: false,
      source: 'primary',
      attempts: 1,
      durationMs: 0,
    });
  });

  it('serves the cache with its age when every attempt fails, then the chain once the cache is too old', async () => {
    const { policy, setFaulty } = build();
    await policy.execute(() => 'fresh summary');
    setFaulty(true);
    vi.advanceTimersByTime(1_004_000 - Date.now()); // time passes: the policies read a monotonic clock
    const fn = vi.fn(() => 'never reached');
    await expect(policy.executeDetailed(fn)).resolves.toMatchObject({
      value: 'fresh summary',
      fromFallback: true,
      source: 'cache',
      ageMs: 4_000,
      // Chaos rejected both the primary and the hedge it triggered, before calling fn.
      attempts: 0,
    });
    expect(fn).not.toHaveBeenCalled();

    vi.advanceTimersByTime(1_010_000 - Date.now()); // time passes: the policies read a monotonic clock
    const detailed = await policy.executeDetailed(fn);
    expect(detailed).toMatchObject({
      value: 'the summary is on its way',
      fromFallback: true,
      source: 'friendly-message',
    });
    expect(detailed).not.toHaveProperty('ageMs');
  });

  it('counts the attempts of a hedged call, and reports the primary when the hedge wins', async () => {
    const { policy } = build();
    const slow = deferred<string>();
    let calls = 0;
    const call = policy.executeDetailed(() => (++calls === 1 ? slow.promise : 'hedge answer'));
    await vi.advanceTimersByTimeAsync(50);
    await expect(call).resolves.toMatchObject({
      value: 'hedge answer',
      fromFallback: false,
      source: 'primary',
      attempts: 2,
      durationMs: 50,
    });
    slow.resolve('late');
  });

  it('answers with the outermost fallback only when everything inside has failed', async () => {
    const policy = pipeline(
      fallback({ to: 'sorry', name: 'apology' }),
      fallbackChain([{ name: 'backup', priority: 1, run: () => Promise.reject(new Error('no')) }]),
      staleCache<string>({ key: 'empty', ttlMs: 1_000 }),
    );
    await expect(
      policy.executeDetailed(() => Promise.reject(new ServiceUnavailableError('down'))),
    ).resolves.toMatchObject({
      value: 'sorry',
      fromFallback: true,
      source: 'apology',
      attempts: 1,
    });
  });

  it('the provenance of the winning hedged attempt is the one reported', async () => {
    const policy = pipeline(
      hedge({ delayMs: 10 }),
      fallback({ to: 'fallback answer', name: 'inner-fallback' }),
    );
    const slow = deferred<string>();
    let calls = 0;
    const call = policy.executeDetailed(() =>
      ++calls === 1 ? slow.promise : Promise.reject(new Error('hedge failed')),
    );
    await vi.advanceTimersByTimeAsync(10);
    await expect(call).resolves.toMatchObject({
      value: 'fallback answer',
      fromFallback: true,
      source: 'inner-fallback',
      attempts: 2,
    });
    slow.resolve('late primary');

    let second = 0;
    const primaryWins = policy.executeDetailed(() =>
      ++second === 1 ? 'primary answer' : 'unused',
    );
    await expect(primaryWins).resolves.toMatchObject({
      value: 'primary answer',
      fromFallback: false,
      source: 'primary',
      attempts: 1,
    });
  });

  it('rejections by the rate limiter and the bulkhead are answered by the cache', async () => {
    const limiter = rateLimit({ rate: 1, intervalMs: 60_000, burst: 1 });
    const policy = pipeline(staleCache<string>({ key: 'k', ttlMs: 60_000 }), limiter);
    await policy.execute(() => 'first');
    await expect(policy.executeDetailed(() => 'second')).resolves.toMatchObject({
      value: 'first',
      source: 'cache',
      attempts: 0,
    });

    const gate = bulkhead({ maxConcurrent: 1 });
    const guarded = pipeline(staleCache<string>({ key: 'k', ttlMs: 60_000 }), gate);
    await guarded.execute(() => 'cached');
    const busy = deferred<string>();
    const running = guarded.execute(() => busy.promise);
    await expect(guarded.executeDetailed(() => 'blocked')).resolves.toMatchObject({
      value: 'cached',
      source: 'cache',
    });
    busy.resolve('done');
    await running;
    expect(gate.executing).toBe(0);
  });
});

describe('with the circuit breaker and retry', () => {
  it('the stale cache answers while a real breaker is open, and never after ttlMs', async () => {
    const breaker = circuitBreaker({ name: 'prices', trip: consecutive(2), openMs: 30_000 });
    const cache = staleCache<string>({ key: 'prices', ttlMs: 60_000 });
    const policy = pipeline(cache, breaker);
    await policy.execute(() => 'price list');
    const down = vi.fn(() => Promise.reject(new ServiceUnavailableError('down')));
    await policy.execute(down);
    await policy.execute(down);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(5_000); // time passes: the policies read a monotonic clock
    const served = await policy.executeDetailed(down);
    expect(down).toHaveBeenCalledTimes(2); // the open circuit did not call it
    expect(served).toMatchObject({
      value: 'price list',
      fromFallback: true,
      source: 'cache',
      ageMs: 5_000,
      attempts: 0,
    });
    vi.advanceTimersByTime(55_000); // time passes: the policies read a monotonic clock
    await expect(policy.execute(down)).rejects.toThrow('down');
  });

  it('a chain outside a retry adds the alternatives to the retries instead of multiplying them', async () => {
    let primaryCalls = 0;
    let alternativeCalls = 0;
    const policy = pipeline(
      fallbackChain([
        {
          name: 'backup',
          priority: 1,
          run: () => {
            alternativeCalls++;
            return 'backup answer';
          },
        },
      ]),
      retry({ maxAttempts: 3, backoff: () => 0 }),
    );
    const call = policy.executeDetailed(() => {
      primaryCalls++;
      return Promise.reject(new ServiceUnavailableError('down'));
    });
    await vi.runAllTimersAsync();
    await expect(call).resolves.toMatchObject({
      value: 'backup answer',
      source: 'backup',
      fromFallback: true,
      attempts: 3,
    });
    expect([primaryCalls, alternativeCalls]).toEqual([3, 1]);
  });
});
