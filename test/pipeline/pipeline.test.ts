import { getEventListeners } from 'node:events';
import {
  TimeoutStrategy,
  handleAll,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
} from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { neverAbortedSignal } from '../../src/core/abort.js';
import {
  TimeoutError,
  circuitBreaker,
  consecutive,
  constant,
  isCircuitOpenError,
  pipeline,
  retry,
  timeout,
  type Context,
  type Policy,
} from '../../src/core/index.js';
import { RUN, isComposable, rootContext, type Provenance } from '../../src/core/policy.js';
import { countControllers } from '../timeout/helpers.js';
import { deferred, flush, observe } from '../support/promises.js';
import { AnswerOnFailure, Recorder } from './layers.js';

/** breakwater's retry, two attempts, no wait between them. */
const retryOnce = (): Policy => retry({ maxAttempts: 2, backoff: constant(0) });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('pipeline composition', () => {
  it('runs the layers outermost first', async () => {
    const log: string[] = [];
    const composed = pipeline(
      new Recorder('a', log),
      new Recorder('b', log),
      new Recorder('c', log),
    );
    const value = await composed.execute(() => {
      log.push('fn');
      return 42;
    });
    expect(value).toBe(42);
    expect(log).toEqual(['enter a', 'enter b', 'enter c', 'fn', 'leave c', 'leave b', 'leave a']);
  });

  it('flattens a pipeline inside a pipeline, keeping the order', async () => {
    const log: string[] = [];
    const inner = pipeline(new Recorder('b', log), new Recorder('c', log));
    await pipeline(new Recorder('a', log), inner, new Recorder('d', log)).execute(() => 1);
    expect(log.filter((line) => line.startsWith('enter'))).toEqual([
      'enter a',
      'enter b',
      'enter c',
      'enter d',
    ]);
  });

  it('returns a single policy as it is', () => {
    const only = timeout(100);
    expect(pipeline(only)).toBe(only);
  });

  it('retries through an inner timeout: each attempt gets its own deadline and its attempt number', async () => {
    const perAttempt = timeout({ ms: 100, mode: 'aggressive' });
    const seen: { attempt: number; signal: AbortSignal }[] = [];
    const call = observe(
      pipeline(retryOnce(), perAttempt).execute((ctx) => {
        seen.push({ attempt: ctx.attempt, signal: ctx.signal });
        return ctx.attempt === 1 ? new Promise<string>(() => undefined) : 'second';
      }),
    );
    await vi.advanceTimersByTimeAsync(100);
    await flush();
    expect(call.value()).toBe('second');
    expect(seen.map((s) => s.attempt)).toEqual([1, 2]);
    expect(seen[0]?.signal.reason).toBeInstanceOf(TimeoutError);
    expect(seen[1]?.signal.aborted).toBe(false);
  });

  it('bounds all attempts with an outer timeout, whose abort reaches the inner layers', async () => {
    const total = timeout({ ms: 150 });
    const perAttempt = timeout({ ms: 100 });
    const signals: AbortSignal[] = [];
    const call = observe(
      pipeline(total, retryOnce(), perAttempt).execute((ctx) => {
        signals.push(ctx.signal);
        return new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        });
      }),
    );
    await vi.advanceTimersByTimeAsync(100); // the first attempt times out…
    await vi.advanceTimersByTimeAsync(1); // …and after retry's zero wait the second starts
    expect(signals).toHaveLength(2);
    expect(signals[1]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(49); // the total deadline aborts the second attempt
    await flush();
    expect(signals[1]?.aborted).toBe(true);
    expect(call.error()).toBeInstanceOf(TimeoutError);
    expect((call.error() as TimeoutError).ms).toBe(150);
  });

  it('nests timeouts without making a signal nobody reads', async () => {
    const controllers = countControllers();
    try {
      const composed = pipeline(timeout(1_000), timeout({ ms: 500 }), timeout(2_000));
      for (let i = 0; i < 5; i++) await composed.execute(() => i);
      const slow = deferred();
      const call = observe(composed.execute(() => slow.promise));
      await vi.advanceTimersByTimeAsync(600); // the middle deadline passes, not the outer one
      slow.resolve(1);
      await flush();
      expect((call.error() as TimeoutError).ms).toBe(500);
      expect(controllers.count()).toBe(0);
    } finally {
      controllers.restore();
    }
  });

  it('carries operation and provenance from the root context to the function', async () => {
    const provenance: Provenance = { attempts: 0, fromFallback: false, source: 'primary' };
    const composed = pipeline(retryOnce(), timeout(100));
    if (!isComposable(composed)) throw new Error('a pipeline composes');
    const contexts: Context[] = [];
    await composed[RUN](
      (ctx) => {
        contexts.push(ctx);
        if (ctx.attempt === 1) throw new Error('first fails');
        return 'ok';
      },
      rootContext(undefined, 'summarize', provenance),
    );
    expect(contexts.map((c) => [c.attempt, c.operation])).toEqual([
      [1, 'summarize'],
      [2, 'summarize'],
    ]);
    expect(contexts.map((c) => (c as { provenance?: Provenance }).provenance)).toEqual([
      provenance,
      provenance,
    ]);
  });

  it('answers executeDetailed with the attempts and the layer that answered', async () => {
    const composed = pipeline(new AnswerOnFailure('cached'), retryOnce(), timeout(100));
    const failing = await composed.executeDetailed(() => Promise.reject(new Error('down')));
    expect(failing).toMatchObject({
      value: 'cached',
      fromFallback: true,
      source: 'fallback',
      attempts: 2,
    });
    const working = await composed.executeDetailed(() => 'fresh');
    expect(working).toMatchObject({
      value: 'fresh',
      fromFallback: false,
      source: 'primary',
      attempts: 1,
    });
    expect(working.durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe('the usual stack: retry, breaker, timeout', () => {
  it('counts each timed-out attempt as a breaker failure, and does not retry an open circuit', async () => {
    const breaker = circuitBreaker({ trip: consecutive(3), openMs: 60_000 });
    const composed = pipeline(
      retry({ maxAttempts: 2, backoff: constant(10) }),
      breaker,
      timeout({ ms: 100, mode: 'aggressive' }),
    );
    const fn = vi.fn(() => new Promise<never>(() => undefined));
    const first = observe(composed.execute(fn));
    await vi.advanceTimersByTimeAsync(210); // two attempts, each cut at 100 ms
    expect(first.error()).toBeInstanceOf(TimeoutError);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(breaker.state).toBe('closed');

    const second = observe(composed.execute(fn));
    await vi.advanceTimersByTimeAsync(100); // the third timeout in a row opens the circuit
    expect(breaker.state).toBe('open');
    await vi.advanceTimersByTimeAsync(50);
    expect(isCircuitOpenError(second.error())).toBe(true);
    expect(fn).toHaveBeenCalledTimes(3);

    await expect(composed.execute(fn)).rejects.toSatisfy(isCircuitOpenError);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('answers through all three layers when the function is quick', async () => {
    const composed = pipeline(
      retry(),
      circuitBreaker({ trip: consecutive(5) }),
      timeout({ ms: 1_000 }),
    );
    const detailed = await composed.executeDetailed(({ attempt, signal }) =>
      signal.aborted ? 'aborted' : `attempt ${attempt}`,
    );
    expect(detailed).toMatchObject({ value: 'attempt 1', attempts: 1, fromFallback: false });
  });
});

describe('pipeline with policies from elsewhere', () => {
  it('runs a cockatiel retry inside, counting its attempts in the context', async () => {
    vi.useRealTimers();
    const composed = pipeline(timeout(1_000), cockatielRetry(handleAll, { maxAttempts: 2 }));
    const attempts: number[] = [];
    const detailed = await composed.executeDetailed((ctx) => {
      attempts.push(ctx.attempt);
      if (attempts.length === 1) throw new Error('flaky');
      return 'ok';
    });
    expect(detailed).toMatchObject({ value: 'ok', attempts: 2 });
    expect(attempts).toEqual([1, 2]);
  });

  it('lets our timeout abort the signal a cockatiel policy hands the function', async () => {
    const composed = pipeline(
      timeout({ ms: 100, mode: 'aggressive' }),
      cockatielTimeout(10_000, TimeoutStrategy.Cooperative),
    );
    let signal: AbortSignal | undefined;
    const call = observe(
      composed.execute((ctx) => {
        signal = ctx.signal;
        return new Promise(() => undefined);
      }),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(call.error()).toBeInstanceOf(TimeoutError);
    expect(signal?.aborted).toBe(true);
  });

  it('gives the function a full context even when the foreign policy passes none', async () => {
    const bare: Policy = {
      execute: (fn) => Promise.resolve((fn as () => unknown)()) as never,
      executeDetailed: () => Promise.reject(new Error('unused')),
      executeStream: () => {
        throw new Error('unused');
      },
    };
    const caller = new AbortController();
    let seen: Context | undefined;
    await pipeline(timeout(100), bare).execute((ctx) => {
      seen = ctx;
      return 1;
    }, caller.signal);
    expect(seen?.attempt).toBe(1);
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
    expect(seen?.signal.aborted).toBe(false);
  });

  it('wraps a lone foreign policy, giving it executeDetailed', async () => {
    vi.useRealTimers();
    const alone = pipeline(cockatielRetry(handleAll, { maxAttempts: 3 }));
    let calls = 0;
    const detailed = await alone.executeDetailed(() => {
      calls++;
      if (calls < 3) throw new Error('flaky');
      return 'third time';
    });
    expect(detailed).toMatchObject({ value: 'third time', attempts: 3, source: 'primary' });
  });

  it('never hands the shared never-aborted signal to a foreign policy (it would collect listeners)', async () => {
    vi.useRealTimers();
    const composed = pipeline(
      cockatielTimeout(1_000, TimeoutStrategy.Cooperative),
      cockatielRetry(handleAll, { maxAttempts: 1 }),
    );
    for (let i = 0; i < 20; i++) await composed.execute((ctx) => ctx.signal.aborted);
    expect(getEventListeners(neverAbortedSignal, 'abort')).toHaveLength(0);
  });
});

describe('pipeline aborts', () => {
  it('rejects before the first attempt when the caller has already aborted', async () => {
    const caller = new AbortController();
    const reason = new Error('gone');
    caller.abort(reason);
    const fn = vi.fn(() => 1);
    const composed = pipeline(retryOnce(), timeout(100));
    await expect(composed.execute(fn, caller.signal)).rejects.toBe(reason);
    await expect(composed.executeDetailed(fn, caller.signal)).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it('rejects at once when the caller aborts while retry waits between timed-out attempts', async () => {
    const caller = new AbortController();
    const reason = new Error('user left');
    const fn = vi.fn(() => new Promise<never>(() => undefined));
    const call = observe(
      pipeline(
        retry({ maxAttempts: 3, backoff: constant(1_000) }),
        timeout({ ms: 100, mode: 'aggressive' }),
      ).execute(fn, caller.signal),
    );
    await vi.advanceTimersByTimeAsync(300); // attempt 1 timed out at 100; retry now waits 1 s
    expect(fn).toHaveBeenCalledTimes(1);
    caller.abort(reason);
    await flush();
    expect(call.error()).toBe(reason);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it.each(['cooperative', 'aggressive'] as const)(
    'passes a caller’s abort during a %s timeout to the function and rejects with its reason',
    async (mode) => {
      const caller = new AbortController();
      const reason = new Error('user left');
      const work = deferred();
      let signal: AbortSignal | undefined;
      const call = observe(
        pipeline(new Recorder('outer', []), timeout({ ms: 100, mode })).execute((ctx) => {
          signal = ctx.signal;
          return work.promise;
        }, caller.signal),
      );
      await vi.advanceTimersByTimeAsync(30);
      caller.abort(reason);
      expect(signal?.reason).toBe(reason);
      work.reject(signal?.reason);
      await flush();
      expect(call.error()).toBe(reason);
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    },
  );
});

describe('pipeline validation', () => {
  it('needs at least one policy', () => {
    expect(() => pipeline()).toThrow(
      new RangeError('pipeline: needs at least one policy, got none'),
    );
  });

  it.each([
    [
      [{}],
      'pipeline: argument 0 must be a policy (an object with an execute method), got an object',
    ],
    [
      [timeout(1), null],
      'argument 1 must be a policy (an object with an execute method), got null',
    ],
    [
      [timeout(1), timeout(2), 'retry'],
      'argument 2 must be a policy (an object with an execute method), got "retry"',
    ],
  ])('rejects a non-policy argument: %#', (args, message) => {
    const build = (): unknown => pipeline(...(args as Policy[]));
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });
});
