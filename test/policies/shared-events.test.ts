import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  BackgroundRecovery,
  BulkheadRejectedError,
  CircuitOpenError,
  RateLimiterRejectedError,
  bulkhead,
  circuitBreaker,
  consecutive,
  constant,
  fallback,
  fallbackChain,
  rateLimit,
  staleCache,
  retry,
  type FailureEvent,
  type FallbackEvent,
  type Listener,
  type RejectedEvent,
  type SuccessEvent,
} from '../../src/core/index.js';
import { onListenerError } from '../../src/core/events.js';
import { ManualClock } from '../support/clock.js';
import { deferred, outcome } from '../support/promises.js';

afterEach(() => {
  vi.useRealTimers();
  onListenerError((error) => console.error(error));
});

/** What a caller caught, or `undefined` when the call resolved. */
async function caught(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('one payload shape per event name, whichever policy emits it', () => {
  it('onRejected: breaker, bulkhead and rate limiter give one listener the caller’s error and retryAfterMs', async () => {
    const seen: RejectedEvent[] = [];
    const listener: Listener<RejectedEvent> = (event) => seen.push(event);
    const clock = new ManualClock();

    const breaker = circuitBreaker({ trip: consecutive(1), openMs: 250, clock });
    breaker.onRejected(listener);
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow();
    const open = await caught(breaker.execute(() => 1));

    const limiter = rateLimit({ rate: 1, intervalMs: 1_000, clock });
    limiter.onRejected(listener);
    await limiter.execute(() => 1);
    const limited = await caught(limiter.execute(() => 1));

    const gate = deferred<number>();
    const full = bulkhead({ maxConcurrent: 1 });
    full.onRejected(listener);
    const running = outcome(full.execute(() => gate.promise));
    const busy = await caught(full.execute(() => 1));
    gate.resolve(1);
    await running;

    expect(open).toBeInstanceOf(CircuitOpenError);
    expect(limited).toBeInstanceOf(RateLimiterRejectedError);
    expect(busy).toBeInstanceOf(BulkheadRejectedError);
    expect(seen).toHaveLength(3);
    expect(seen.map((event) => Object.keys(event).sort())).toEqual([
      ['error', 'retryAfterMs'],
      ['error', 'retryAfterMs'],
      ['error', 'retryAfterMs'],
    ]);
    // The very instance each caller caught, so a listener and a catch block agree.
    expect(seen.map((event) => event.error)).toEqual([open, limited, busy]);
    expect(seen[0]?.error).toBe(open);
    expect(seen[1]?.error).toBe(limited);
    expect(seen[2]?.error).toBe(busy);
    expect(seen.map((event) => event.retryAfterMs)).toEqual([250, 1_000, undefined]);
  });

  it('onRejected is typed with each policy’s own error', () => {
    circuitBreaker().onRejected((event) => {
      expectTypeOf(event).toEqualTypeOf<RejectedEvent<CircuitOpenError>>();
    });
    bulkhead({ maxConcurrent: 1 }).onRejected((event) => {
      expectTypeOf(event).toEqualTypeOf<RejectedEvent<BulkheadRejectedError>>();
    });
    rateLimit({ rate: 1 }).onRejected((event) => {
      expectTypeOf(event).toEqualTypeOf<RejectedEvent<RateLimiterRejectedError>>();
    });
  });

  it('onSuccess and onFailure carry attempts and durationMs on retry, breaker and recovery', async () => {
    vi.useFakeTimers();
    const successes: [string, SuccessEvent][] = [];
    const failures: [string, FailureEvent][] = [];
    const onSuccess =
      (source: string): Listener<SuccessEvent> =>
      (event) =>
        successes.push([source, event]);
    const onFailure =
      (source: string): Listener<FailureEvent> =>
      (event) =>
        failures.push([source, event]);

    const retrying = retry({ maxAttempts: 3, backoff: constant(40) });
    retrying.onSuccess(onSuccess('retry'));
    retrying.onFailure(onFailure('retry'));
    let calls = 0;
    const recovered = retrying.execute(async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (calls < 2) throw new Error('flaky');
      return calls;
    });
    await vi.advanceTimersByTimeAsync(100);
    await expect(recovered).resolves.toBe(2);
    const exhausted = caught(retrying.execute(() => Promise.reject(new Error('down'))));
    await vi.advanceTimersByTimeAsync(100);
    const lastError = await exhausted;

    const breaker = circuitBreaker({ trip: consecutive(5) });
    breaker.onSuccess(onSuccess('breaker'));
    breaker.onFailure(onFailure('breaker'));
    const slow = breaker.execute(() => new Promise((resolve) => setTimeout(resolve, 30, 'ok')));
    await vi.advanceTimersByTimeAsync(30);
    await slow;
    const broken = new Error('broken');
    await expect(breaker.execute(() => Promise.reject(broken))).rejects.toBe(broken);

    let tries = 0;
    const recovery = new BackgroundRecovery({
      recover: () => ++tries >= 2,
      baseDelayMs: 100,
      jitter: 0,
    });
    recovery.onSuccess(onSuccess('recovery'));
    recovery.start();
    await vi.advanceTimersByTimeAsync(150);
    await recovery.stop();

    expect(successes).toEqual([
      // 5 ms, a 40 ms wait, then 5 ms more.
      ['retry', { attempts: 2, durationMs: 50 }],
      ['breaker', { attempts: 1, durationMs: 30 }],
      ['recovery', { attempts: 2, durationMs: 100 }],
    ]);
    expect(failures).toEqual([
      ['retry', { attempts: 3, error: lastError, durationMs: 80 }],
      ['breaker', { attempts: 1, error: broken, durationMs: 0 }],
    ]);
  });

  it('a retry success listener added during a call is not given a made-up duration', async () => {
    const policy = retry({ maxAttempts: 2, backoff: constant(0) });
    const gate = deferred<number>();
    const call = policy.execute(() => gate.promise);
    const late: SuccessEvent[] = [];
    policy.onSuccess((event) => late.push(event));
    gate.resolve(1);
    await expect(call).resolves.toBe(1);
    expect(late).toEqual([]);
    await policy.execute(() => 2);
    expect(late.map((event) => event.attempts)).toEqual([1]);
    expect(late[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a throwing listener breaks no call, and its disposer stops it', async () => {
    const reported: unknown[] = [];
    onListenerError((error) => reported.push(error));
    const throwing = (): never => {
      throw new Error('listener');
    };
    const clock = new ManualClock();
    const limiter = rateLimit({ rate: 1, intervalMs: 1_000, clock });
    const offRejected = limiter.onRejected(throwing);
    const policy = retry({ maxAttempts: 1 });
    const offSuccess = policy.onSuccess(throwing);
    const offFailure = policy.onFailure(throwing);

    await expect(limiter.execute(() => 1)).resolves.toBe(1);
    await expect(limiter.execute(() => 1)).rejects.toBeInstanceOf(RateLimiterRejectedError);
    await expect(policy.execute(() => 'ok')).resolves.toBe('ok');
    await expect(policy.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(reported).toHaveLength(3);

    offRejected();
    offSuccess();
    offFailure();
    await expect(limiter.execute(() => 1)).rejects.toBeInstanceOf(RateLimiterRejectedError);
    await expect(policy.execute(() => 'ok')).resolves.toBe('ok');
    expect(reported).toHaveLength(3);
  });

  it('onFallback: fallback, staleCache and fallbackChain give one listener who answered, for which failures, and the age of a cached answer', async () => {
    const seen: FallbackEvent[] = [];
    const listener: Listener<FallbackEvent> = (event) => seen.push(event);
    const clock = new ManualClock(1_000);
    const first = new Error('first');
    const second = new Error('second');
    const single = fallback({ to: 'spare', name: 'spare' });
    const cache = staleCache<string>({ key: 'k', ttlMs: 10_000, clock });
    const chain = fallbackChain<string>([
      { name: 'backup', priority: 1, run: () => Promise.reject(second) },
      { name: 'last', priority: 2, run: () => 'last' },
    ]);
    // Each takes the same listener: the shape is one type.
    single.onFallback(listener);
    cache.onFallback(listener);
    chain.onFallback(listener);
    expectTypeOf<Parameters<typeof listener>[0]>().toEqualTypeOf<FallbackEvent>();

    await expect(single.execute(() => Promise.reject(first))).resolves.toBe('spare');
    await cache.execute(() => 'kept');
    clock.advance(250);
    await expect(cache.execute(() => Promise.reject(first))).resolves.toBe('kept');
    await expect(chain.execute(() => Promise.reject(first))).resolves.toBe('last');
    expect(seen).toEqual([
      { source: 'spare', error: first, errors: [first], ageMs: undefined },
      { source: 'cache', error: first, errors: [first], ageMs: 250 },
      { source: 'last', error: second, errors: [first, second], ageMs: undefined },
    ]);
  });
});
