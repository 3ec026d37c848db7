import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BulkheadRejectedError,
  CircuitOpenError,
  RateLimitError,
  RateLimiterRejectedError,
  RetryExhaustedError,
  constant,
  exponential,
  pipeline,
  retry,
  type Context,
  type RetryDecision,
  type RetryEvent,
  createClassifier,
  fallback,
} from '../../src/core/index.js';
import { onListenerError } from '../../src/core/events.js';
import { neverAbortedSignal } from '../../src/core/abort.js';
import {
  BasePolicy,
  RUN,
  invoke,
  rootContext,
  type ExecutionContext,
  type Operation,
} from '../../src/core/policy.js';
import { failing, permanent, transient } from './helpers.js';
import { settle } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-25T10:00:00Z') });
});
afterEach(() => {
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

describe('retry: the success path', () => {
  it('calls once with attempt 1 and the caller context as is', async () => {
    const policy = retry();
    const seen: Context[] = [];
    const value = await policy.execute((ctx) => {
      seen.push(ctx);
      return Promise.resolve(42);
    });
    expect(value).toBe(42);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.attempt).toBe(1);
  });

  it('hands the parent context itself to attempt 1 (nothing allocated for it)', async () => {
    const parent = rootContext(new AbortController().signal, 'op');
    const seen: Context[] = [];
    await retry()[RUN]((ctx) => {
      seen.push(ctx);
      return 1;
    }, parent);
    expect(seen[0]).toBe(parent);
  });

  it('accepts synchronous answers and throws', async () => {
    const policy = retry({ backoff: constant(10) });
    expect(await policy.execute(() => 'sync')).toBe('sync');
    let calls = 0;
    const outcome = await settle(
      policy.execute(() => {
        calls++;
        if (calls < 2) throw transient();
        return 'second';
      }),
    );
    expect(outcome).toEqual({ ok: true, value: 'second' });
  });

  it("hands every attempt the call's own signal, which follows the caller's", async () => {
    const controller = new AbortController();
    const { fn } = failing([transient()], 'ok');
    await settle(retry({ backoff: constant(5) }).execute(fn, controller.signal));
    const [first, second] = fn.mock.calls.map(([ctx]) => (ctx as Context).signal);
    expect(second).toBe(first);
    expect(first).not.toBe(controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('retry: what is retried', () => {
  it('retries a transient error after the backoff delay, with ctx.attempt counting up', async () => {
    const { fn, calls } = failing([transient(), transient()], 'ok');
    const started = Date.now();
    const promise = retry({ backoff: exponential({ initialMs: 100, jitter: 'none' }) }).execute(fn);
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(await promise).toBe('ok');
    expect(calls).toEqual([
      { attempt: 1, at: started },
      { attempt: 2, at: started + 100 },
      { attempt: 3, at: started + 300 },
    ]);
  });

  it('by default: 3 attempts, 1 s then 2 s apart, ±10 %', async () => {
    const { fn, calls } = failing([transient(), transient(), transient()], 'never');
    const outcome = await settle(retry().execute(fn));
    expect(outcome.ok).toBe(false);
    const [first, second, third] = calls.map((c) => c.at);
    expect(calls).toHaveLength(3);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(900);
    expect((second ?? 0) - (first ?? 0)).toBeLessThanOrEqual(1100);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(1800);
    expect((third ?? 0) - (second ?? 0)).toBeLessThanOrEqual(2200);
  });

  it('re-throws a permanent error at once, unchanged', async () => {
    const error = permanent();
    const { fn } = failing([error], 'never');
    const policy = retry();
    const retried = vi.fn();
    const failures = vi.fn();
    policy.onRetry(retried);
    policy.onFailure(failures);
    const outcome = await settle(policy.execute(fn));
    expect(outcome).toEqual({ ok: false, error });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(retried).not.toHaveBeenCalled();
    expect(failures).toHaveBeenCalledWith({ attempts: 1, error, durationMs: 0 });
  });

  it('retries unknown errors and RateLimitError by default (transient)', async () => {
    const { fn } = failing([new Error('?'), new RateLimitError()], 'ok');
    expect(await settle(retry({ backoff: constant(1) }).execute(fn))).toEqual({
      ok: true,
      value: 'ok',
    });
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('does not retry local rejections by default: breaker, bulkhead, rate limiter (SPEC §7)', async () => {
    const rejections = [
      new CircuitOpenError('db', 'open', 5),
      new BulkheadRejectedError(1, 0),
      new RateLimiterRejectedError(100),
    ];
    for (const error of rejections) {
      const { fn } = failing([error], 'ok');
      expect(await settle(retry({ backoff: constant(1) }).execute(fn))).toEqual({
        ok: false,
        error,
      });
      expect(fn).toHaveBeenCalledTimes(1);
    }
  });

  it('retryOn as error classes retries only those (instanceof)', async () => {
    class Flaky extends Error {}
    const policy = retry({ retryOn: [Flaky], backoff: constant(1) });
    const flaky = failing([new Flaky()], 'ok');
    expect(await settle(policy.execute(flaky.fn))).toEqual({ ok: true, value: 'ok' });
    const other = transient();
    const plain = failing([other], 'ok');
    expect(await settle(policy.execute(plain.fn))).toEqual({ ok: false, error: other });
    expect(plain.fn).toHaveBeenCalledTimes(1);
  });

  it('retryOn as a single error class', async () => {
    class Flaky extends Error {}
    const flaky = failing([new Flaky(), new Flaky()], 'ok');
    expect(await settle(retry({ retryOn: Flaky, backoff: constant(1) }).execute(flaky.fn))).toEqual(
      {
        ok: true,
        value: 'ok',
      },
    );
    const other = transient();
    expect(await settle(retry({ retryOn: Flaky }).execute(() => Promise.reject(other)))).toEqual({
      ok: false,
      error: other,
    });
  });

  it('retryOn as a predicate sees the error, the attempt that failed and the signal', async () => {
    const seen: [unknown, number, AbortSignal][] = [];
    const predicate = (error: unknown, { attempt, signal }: RetryDecision) => {
      seen.push([error, attempt, signal]);
      return attempt < 2;
    };
    const errors = [permanent('1'), permanent('2'), permanent('3')];
    const { fn } = failing(errors, 'ok');
    const controller = new AbortController();
    const outcome = await settle(
      retry({ retryOn: predicate, maxAttempts: 5, backoff: constant(1) }).execute(
        fn,
        controller.signal,
      ),
    );
    expect(outcome).toEqual({ ok: false, error: errors[1] });
    expect(seen).toEqual([
      [errors[0], 1, controller.signal],
      [errors[1], 2, controller.signal],
    ]);
  });

  it("a classifier's isTransient is a retryOn as is", async () => {
    const strict = createClassifier({ unknown: 'permanent', transient: [409] });
    const conflict = Object.assign(new Error('conflict'), { status: 409 });
    const odd = new Error('odd');
    const policy = retry({ retryOn: strict.isTransient, backoff: constant(1) });
    const retried = failing([conflict], 'ok');
    expect(await settle(policy.execute(retried.fn))).toEqual({ ok: true, value: 'ok' });
    const notRetried = failing([odd], 'ok');
    expect(await settle(policy.execute(notRetried.fn))).toEqual({ ok: false, error: odd });
    expect(notRetried.fn).toHaveBeenCalledTimes(1);
  });

  it('retryOnResult retries unwanted results and returns the last one when attempts run out', async () => {
    const results = ['pending', 'pending', 'done'];
    let i = 0;
    const policy = retry({ retryOnResult: (r) => r === 'pending', backoff: constant(10) });
    const retried: RetryEvent[] = [];
    policy.onRetry((event) => {
      retried.push(event);
    });
    expect(await settle(policy.execute(() => Promise.resolve(results[i++])))).toEqual({
      ok: true,
      value: 'done',
    });
    expect(retried).toEqual([
      { attempt: 1, delayMs: 10, error: undefined, result: 'pending' },
      { attempt: 2, delayMs: 10, error: undefined, result: 'pending' },
    ]);
    const gaveUp = vi.fn();
    policy.onGiveUp(gaveUp);
    expect(await settle(policy.execute(() => 'pending'))).toEqual({ ok: true, value: 'pending' });
    expect(gaveUp).toHaveBeenCalledWith({
      attempts: 3,
      reason: 'maxAttempts',
      error: undefined,
      result: 'pending',
    });
  });
});

describe('retry: when it stops', () => {
  it('maxAttempts counts the first call; the last error is re-thrown unchanged', async () => {
    class UpstreamError extends Error {}
    const errors = [new UpstreamError('a'), new UpstreamError('b'), new UpstreamError('c')];
    const { fn } = failing(errors, 'never');
    const policy = retry({ backoff: constant(50) });
    const events: unknown[] = [];
    policy.onRetry((e) => {
      events.push(['retry', e.attempt, e.delayMs, e.error]);
    });
    policy.onGiveUp((e) => {
      events.push(['giveUp', e.attempts, e.reason, e.error]);
    });
    policy.onFailure((e) => {
      events.push(['failure', e.attempts, e.error]);
    });
    policy.onSuccess((e) => {
      events.push(['success', e.attempts]);
    });
    const outcome = await settle(policy.execute(fn));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toBe(errors[2]);
    expect(!outcome.ok && outcome.error instanceof UpstreamError).toBe(true);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(events).toEqual([
      ['retry', 1, 50, errors[0]],
      ['retry', 2, 50, errors[1]],
      ['giveUp', 3, 'maxAttempts', errors[2]],
      ['failure', 3, errors[2]],
    ]);
  });

  it('wrapExhausted throws RetryExhaustedError with cause, attempts and every error', async () => {
    const errors = [transient('1'), transient('2')];
    const { fn } = failing(errors, 'never');
    const outcome = await settle(
      retry({ maxAttempts: 2, wrapExhausted: true, backoff: constant(1) }).execute(fn),
    );
    expect(outcome.ok).toBe(false);
    const error = !outcome.ok ? outcome.error : undefined;
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(error).toMatchObject({ attempts: 2, errors, cause: errors[1] });
  });

  it("RetryExhaustedError's message says what kept failing (seed 004)", async () => {
    const outcome = await settle(
      retry({ maxAttempts: 3, wrapExhausted: true, backoff: constant(1) }).execute(() =>
        Promise.reject(Object.assign(new Error('always fails'), { code: 'ECONNRESET' })),
      ),
    );
    expect(!outcome.ok && (outcome.error as Error).message).toBe(
      'gave up after 3 attempts: always fails',
    );
    expect(new RetryExhaustedError(1, ['plain string']).message).toBe(
      'gave up after 1 attempt: plain string',
    );
    expect(new RetryExhaustedError(1, []).message).toBe('gave up after 1 attempt');
  });

  it('wrapExhausted leaves a permanent error unwrapped', async () => {
    const error = permanent();
    const outcome = await settle(
      retry({ wrapExhausted: true }).execute(() => Promise.reject(error)),
    );
    expect(outcome).toEqual({ ok: false, error });
  });

  it('maxElapsedMs: no attempt starts later than the bound after the first', async () => {
    const { fn, calls } = failing(
      Array.from({ length: 10 }, () => transient()),
      'never',
    );
    const policy = retry({
      maxAttempts: 10,
      maxElapsedMs: 1000,
      backoff: exponential({ initialMs: 100, jitter: 'none' }),
    });
    const gaveUp = vi.fn();
    policy.onGiveUp(gaveUp);
    const started = Date.now();
    const outcome = await settle(policy.execute(fn));
    expect(outcome.ok).toBe(false);
    // 0, 100, 300, 700; the next would start at 1500 > 1000.
    expect(calls.map((c) => c.at - started)).toEqual([0, 100, 300, 700]);
    expect(gaveUp).toHaveBeenCalledWith(
      expect.objectContaining({ attempts: 4, reason: 'maxElapsed' }),
    );
  });

  it('maxElapsedMs reads the injected clock', async () => {
    let now = 0;
    const clock = { now: () => now };
    let calls = 0;
    const fn = () => {
      calls++;
      now += 400; // each attempt takes 400 ms of the injected clock
      return Promise.reject(transient());
    };
    const outcome = await settle(
      retry({ maxAttempts: 10, maxElapsedMs: 1000, backoff: constant(0), clock }).execute(fn),
    );
    expect(outcome.ok).toBe(false);
    expect(calls).toBe(3);
  });
});

describe('retry: Retry-After', () => {
  it('waits what the error asks instead of the backoff', async () => {
    const { fn, calls } = failing([new RateLimitError('slow down', { retryAfterMs: 5000 })], 'ok');
    const started = Date.now();
    await settle(retry({ backoff: exponential({ initialMs: 100, maxMs: 60_000 }) }).execute(fn));
    expect(calls.map((c) => c.at - started)).toEqual([0, 5000]);
  });

  it('reads a Retry-After header as an HTTP date against the clock', async () => {
    const error = Object.assign(new Error('429'), {
      status: 429,
      headers: new Headers({ 'retry-after': new Date(Date.now() + 7000).toUTCString() }),
    });
    const { fn, calls } = failing([error], 'ok');
    const started = Date.now();
    await settle(retry().execute(fn));
    expect(calls.map((c) => c.at - started)).toEqual([0, 7000]);
  });

  it("caps Retry-After by the backoff's max", async () => {
    const error = Object.assign(new Error('503'), {
      status: 503,
      headers: { 'retry-after': '3600' },
    });
    const { fn, calls } = failing([error], 'ok');
    const started = Date.now();
    await settle(retry().execute(fn));
    expect(calls.map((c) => c.at - started)).toEqual([0, 30_000]);
  });

  it('respectRetryAfter: false keeps the backoff', async () => {
    const { fn, calls } = failing([new RateLimitError('x', { retryAfterMs: 5000 })], 'ok');
    const started = Date.now();
    await settle(retry({ respectRetryAfter: false, backoff: constant(20) }).execute(fn));
    expect(calls.map((c) => c.at - started)).toEqual([0, 20]);
  });
});

describe('retry: the caller aborts', () => {
  it('before the first attempt: rejects with the reason without calling', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    const fn = vi.fn(() => 'never');
    await expect(retry().execute(fn, controller.signal)).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it('during a backoff sleep: rejects at once with the reason and never calls again', async () => {
    const controller = new AbortController();
    const { fn } = failing([transient(), transient()], 'ok');
    const policy = retry({ backoff: constant(10_000) });
    const failures = vi.fn();
    policy.onFailure(failures);
    const promise = policy.execute(fn, controller.signal);
    const outcome = promise.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(5000);
    expect(fn).toHaveBeenCalledTimes(1);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(failures).toHaveBeenCalledWith({ attempts: 1, error: reason, durationMs: 5000 });
  });

  it('leaves no listener on the caller signal after sleeps that completed', async () => {
    const controller = new AbortController();
    const { fn } = failing([transient(), transient()], 'ok');
    const outcome = await settle(retry({ backoff: constant(100) }).execute(fn, controller.signal));
    expect(outcome).toEqual({ ok: true, value: 'ok' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('calls made without a signal add no listener to the shared never-aborted one while they sleep', async () => {
    // Node warns of a leak past 10 listeners on one signal: a busy service retrying without
    // caller signals must not trip it.
    const policy = retry({ backoff: constant(100) });
    const calls = Array.from({ length: 20 }, () => policy.execute(failing([transient()], 'ok').fn));
    await vi.advanceTimersByTimeAsync(50);
    expect(getEventListeners(neverAbortedSignal, 'abort')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, () => 'ok'));
  });

  it('during an attempt: the attempt error is re-thrown and nothing is retried', async () => {
    const controller = new AbortController();
    const fn = vi.fn((ctx: Context) => {
      controller.abort();
      return Promise.reject(ctx.signal.reason as Error);
    });
    const outcome = await settle(retry({ retryOn: () => true }).execute(fn, controller.signal));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && (outcome.error as Error).name).toBe('AbortError');
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('retry: events', () => {
  it('a throwing listener breaks no call', async () => {
    const reported: unknown[] = [];
    onListenerError((error) => reported.push(error));
    try {
      const policy = retry({ backoff: constant(1) });
      policy.onRetry(() => {
        throw new Error('listener bug');
      });
      policy.onSuccess(() => {
        throw new Error('listener bug 2');
      });
      const { fn } = failing([transient()], 'ok');
      expect(await settle(policy.execute(fn))).toEqual({ ok: true, value: 'ok' });
      expect(reported).toHaveLength(2);
    } finally {
      onListenerError((error) => console.error(error));
    }
  });

  it('onSuccess carries the attempts and the duration; unsubscribing stops the events', async () => {
    const policy = retry({ backoff: constant(1) });
    const successes = vi.fn();
    const unsubscribe = policy.onSuccess(successes);
    await settle(policy.execute(failing([transient()], 'ok').fn));
    expect(successes).toHaveBeenCalledWith({ attempts: 2, durationMs: 1 });
    await policy.execute(() => 1);
    expect(successes).toHaveBeenLastCalledWith({ attempts: 1, durationMs: 0 });
    unsubscribe();
    unsubscribe();
    await policy.execute(() => 1);
    expect(successes).toHaveBeenCalledTimes(2);
  });
});

/** A layer that turns a 'stale' answer into a transient failure. */
class RefuseStale extends BasePolicy {
  constructor() {
    super(undefined);
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    return invoke(fn, ctx).then((value) => {
      if (value === 'stale') throw transient('stale answer refused');
      return value;
    });
  }
}

describe('retry: composition and provenance', () => {
  it('executeDetailed counts the attempts', async () => {
    const { fn } = failing([transient(), transient()], 'ok');
    const outcome = await settle(retry({ backoff: constant(5) }).executeDetailed(fn));
    expect(outcome.ok && outcome.value).toMatchObject({
      value: 'ok',
      attempts: 3,
      fromFallback: false,
      source: 'primary',
    });
  });

  it('a fallback that answered inside a failed attempt does not speak for a later direct success', async () => {
    // Attempt 1: the service fails, the inner fallback answers 'stale', and a validating
    // layer between the retry and the fallback then rejects that answer; attempt 2: the
    // service answers directly.
    const validate = new RefuseStale();
    const { fn } = failing([transient()], 'fresh');
    const policy = pipeline(
      retry({ backoff: constant(5) }),
      validate,
      fallback({ to: 'stale', name: 'cache' }),
    );
    const outcome = await settle(policy.executeDetailed(fn));
    expect(outcome.ok && outcome.value).toMatchObject({
      value: 'fresh',
      attempts: 2,
      fromFallback: false,
      source: 'primary',
    });
  });

  it('retryOnResult: an unwanted fallback answer retried into a direct one reports the direct one', async () => {
    const { fn } = failing([transient()], 'fresh');
    const policy = pipeline(
      retry({ backoff: constant(5), retryOnResult: (value) => value === 'stale' }),
      fallback({ to: 'stale' }),
    );
    const outcome = await settle(policy.executeDetailed(fn));
    expect(outcome.ok && outcome.value).toMatchObject({
      value: 'fresh',
      attempts: 2,
      fromFallback: false,
      source: 'primary',
    });
  });

  it('a fallback that answers the last attempt is still reported', async () => {
    const { fn } = failing([transient(), transient()], 'never');
    const policy = pipeline(
      retry({ maxAttempts: 2, backoff: constant(5), retryOnResult: (value) => value === 'x' }),
      fallback({ to: 'x', name: 'cache' }),
    );
    const outcome = await settle(policy.executeDetailed(fn));
    expect(outcome.ok && outcome.value).toMatchObject({
      value: 'x',
      attempts: 2,
      fromFallback: true,
      source: 'cache',
    });
  });

  it('inside a pipeline the attempt reaches the function', async () => {
    const inner = retry({ maxAttempts: 1 });
    const { fn, calls } = failing([transient()], 'ok');
    await settle(pipeline(retry({ backoff: constant(1) }), inner).execute(fn));
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
  });
});

describe('retry: options are validated', () => {
  it.each([
    [{ maxAttempts: 0 }, 'retry: maxAttempts must be an integer ≥ 1 (or Infinity), got 0'],
    [{ maxAttempts: 1.5 }, 'retry: maxAttempts must be an integer ≥ 1 (or Infinity), got 1.5'],
    [{ maxAttempts: '3' }, 'retry: maxAttempts must be an integer ≥ 1 (or Infinity), got "3"'],
    [{ maxElapsedMs: -1 }, 'retry: maxElapsedMs must be a number ≥ 0 (or Infinity), got -1'],
    [{ backoff: 5 }, 'retry: backoff must be a Backoff'],
    [{ backoff: {} }, 'got an object'],
    [
      { retryOn: 'all' },
      'retry: retryOn must be a predicate, an error class or an array of error classes',
    ],
    [
      { retryOn: [1] },
      'retry: retryOn must be a predicate, an error class or an array of error classes',
    ],
    [
      { retryOnResult: true },
      'retry: retryOnResult must be a function (result) => boolean, got true',
    ],
    [{ respectRetryAfter: 'yes' }, 'retry: respectRetryAfter must be a boolean, got "yes"'],
    [{ wrapExhausted: 1 }, 'retry: wrapExhausted must be a boolean, got 1'],
    [{ budget: {} }, 'retry: budget must be a retry budget'],
  ])('%o is refused', (options, message) => {
    expect(() => retry(options as never)).toThrow(message);
  });

  it('throws RangeError for out-of-range numbers and TypeError for wrong types', () => {
    expect(() => retry({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => retry({ maxAttempts: '3' as never })).toThrow(TypeError);
    expect(() => retry({ retryOn: 'all' as never })).toThrow(TypeError);
  });

  it('accepts Infinity attempts bounded by maxElapsedMs, and a plain backoff function', async () => {
    const { fn, calls } = failing(
      Array.from({ length: 100 }, () => transient()),
      'never',
    );
    const policy = retry({ maxAttempts: Infinity, maxElapsedMs: 95, backoff: (n) => n * 10 });
    const outcome = await settle(policy.execute(fn));
    expect(outcome.ok).toBe(false);
    // delays 10, 20, 30 → starts at 0, 10, 30, 60; the next would start at 100 > 95.
    expect(calls).toHaveLength(4);
  });
});
