import { describe, expect, it, vi } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  PermanentError,
  TimeoutError,
  TransientError,
  circuitBreaker,
  consecutive,
  isCircuitOpenError,
} from '../../src/core/index.js';
import { badRequest, boom, ok, outcome } from './helpers.js';
import { ManualClock } from '../support/clock.js';

function tripped(threshold = 3, openMs = 10_000) {
  const clock = new ManualClock();
  const breaker = circuitBreaker({ name: 'svc', trip: consecutive(threshold), openMs, clock });
  return { clock, breaker };
}

async function fail(breaker: CircuitBreaker, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await expect(breaker.execute(boom)).rejects.toThrow('boom');
}

describe('circuit breaker transitions (consecutive)', () => {
  it('starts closed and passes values and errors through unchanged', async () => {
    const { breaker } = tripped();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    const error = new TransientError('x');
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    await expect(
      breaker.execute(() => {
        throw error;
      }),
    ).rejects.toBe(error);
  });

  it('stays closed below the threshold and opens at it', async () => {
    const { breaker } = tripped(3);
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    await fail(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('a success in between starts the count over', async () => {
    const { breaker } = tripped(3);
    await fail(breaker, 2);
    await breaker.execute(ok);
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  it('rejects without calling the function while open, with the remaining open time', async () => {
    const { clock, breaker } = tripped(3, 10_000);
    await fail(breaker, 3);
    clock.advance(4_000);
    const fn = vi.fn(ok);
    const { error } = await outcome(breaker, fn);
    expect(fn).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(error)).toBe(true);
    const open = error as CircuitOpenError;
    expect(open.circuit).toBe('svc');
    expect(open.state).toBe('open');
    expect(open.retryAfterMs).toBe(6_000);
    // Rejections do not count as failures: the open time did not move.
    expect(breaker.toJSON().openUntil).toBe(clock.time + 6_000);
  });

  it('half-opens on the first call after the open time, and closes when the probe succeeds', async () => {
    const { clock, breaker } = tripped(3, 10_000);
    await fail(breaker, 3);
    clock.advance(9_999);
    expect((await outcome(breaker, ok)).error).toBeInstanceOf(CircuitOpenError);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    const fn = vi.fn(ok);
    await expect(breaker.execute(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('closed');
  });

  it('reports half-open to a caller that arrives while the probe runs', async () => {
    const { clock, breaker } = tripped(1, 1_000);
    await fail(breaker, 1);
    clock.advance(1_000);
    let finish!: () => void;
    const probe = breaker.execute(() => new Promise<void>((resolve) => (finish = resolve)));
    expect(breaker.state).toBe('half-open');
    const { error } = await outcome(breaker, ok);
    expect((error as CircuitOpenError).state).toBe('half-open');
    expect((error as CircuitOpenError).retryAfterMs).toBeGreaterThan(0);
    finish();
    await probe;
    expect(breaker.state).toBe('closed');
  });

  it('reopens when the probe fails, for the grown open time', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({
      trip: consecutive(2),
      openMs: (opens) => 1_000 * 2 ** (opens - 1),
      clock,
    });
    await fail(breaker, 2);
    expect(breaker.toJSON()).toMatchObject({
      state: 'open',
      opens: 1,
      openUntil: clock.time + 1_000,
    });
    clock.advance(1_000);
    await fail(breaker, 1);
    expect(breaker.toJSON()).toMatchObject({
      state: 'open',
      opens: 2,
      openUntil: clock.time + 2_000,
    });
    clock.advance(1_999);
    expect((await outcome(breaker, ok)).error).toBeInstanceOf(CircuitOpenError);
    clock.advance(1);
    await fail(breaker, 1);
    expect(breaker.toJSON()).toMatchObject({
      state: 'open',
      opens: 3,
      openUntil: clock.time + 4_000,
    });
    clock.advance(4_000);
    await breaker.execute(ok);
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', opens: 0, openUntil: null });
    // After closing, the next trip starts again from the shortest open time.
    await fail(breaker, 2);
    expect(breaker.toJSON()).toMatchObject({ opens: 1, openUntil: clock.time + 1_000 });
  });

  it('needs successesToClose probe successes to close', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({
      trip: consecutive(1),
      openMs: 100,
      halfOpen: { maxCalls: 1, successesToClose: 3 },
      clock,
    });
    await fail(breaker, 1);
    clock.advance(100);
    await breaker.execute(ok);
    await breaker.execute(ok);
    expect(breaker.state).toBe('half-open');
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
  });

  it('never counts excluded errors: permanent client errors by default', async () => {
    const { breaker } = tripped(2);
    for (let i = 0; i < 10; i++) await expect(breaker.execute(badRequest)).rejects.toThrow('400');
    expect(breaker.state).toBe('closed');
    // Nor do they reset the consecutive count, nor does a caller's abort count.
    await fail(breaker, 1);
    await expect(breaker.execute(badRequest)).rejects.toThrow('400');
    const abort = new DOMException('aborted', 'AbortError');
    await expect(breaker.execute(() => Promise.reject(abort))).rejects.toBe(abort);
    expect(breaker.state).toBe('closed');
    await fail(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('counts timeouts and unknown errors, and follows a custom isFailure', async () => {
    const { breaker } = tripped(2);
    await expect(breaker.execute(() => Promise.reject(new TimeoutError(5)))).rejects.toThrow();
    await expect(breaker.execute(() => Promise.reject(new Error('?')))).rejects.toThrow();
    expect(breaker.state).toBe('open');

    const clock = new ManualClock();
    const picky = circuitBreaker({
      trip: consecutive(1),
      isFailure: (error) => error instanceof PermanentError,
      clock,
    });
    await expect(picky.execute(boom)).rejects.toThrow();
    expect(picky.state).toBe('closed');
    await expect(picky.execute(badRequest)).rejects.toThrow();
    expect(picky.state).toBe('open');
  });

  it('takes an error class, or a list of them, as isFailure', async () => {
    const byClass = circuitBreaker({ trip: consecutive(1), isFailure: PermanentError });
    await expect(byClass.execute(boom)).rejects.toThrow();
    expect(byClass.state).toBe('closed');
    await expect(byClass.execute(badRequest)).rejects.toThrow();
    expect(byClass.state).toBe('open');

    const byList = circuitBreaker({ trip: consecutive(1), isFailure: [TimeoutError] });
    await expect(byList.execute(badRequest)).rejects.toThrow();
    expect(byList.state).toBe('closed');
    await expect(byList.execute(() => Promise.reject(new TimeoutError(5)))).rejects.toThrow();
    expect(byList.state).toBe('open');
  });

  it('does not count rejections by another breaker as failures', async () => {
    const { breaker: inner } = tripped(1);
    await fail(inner, 1);
    const { breaker: outer } = tripped(1);
    await expect(outer.execute(() => inner.execute(ok))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(outer.state).toBe('closed');
  });

  it('isolate() forces it open with no retryAfterMs until reset()', async () => {
    const { clock, breaker } = tripped();
    breaker.isolate();
    expect(breaker.state).toBe('isolated');
    clock.advance(10 ** 9);
    const fn = vi.fn(ok);
    const { error } = await outcome(breaker, fn);
    expect(fn).not.toHaveBeenCalled();
    expect(error).toMatchObject({ state: 'isolated', retryAfterMs: undefined, circuit: 'svc' });
    breaker.reset();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fn)).resolves.toBe('ok');
  });

  it('reset() closes an open breaker and clears its counters', async () => {
    const { breaker } = tripped(3);
    await fail(breaker, 3);
    breaker.reset();
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', opens: 0, reason: 'reset' });
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    breaker.reset();
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  it('disable() passes every call through, still counting; enable() closes it', async () => {
    const { breaker } = tripped(2);
    await fail(breaker, 2);
    breaker.disable();
    expect(breaker.state).toBe('disabled');
    const fn = vi.fn(boom);
    for (let i = 0; i < 5; i++) await expect(breaker.execute(fn)).rejects.toThrow('boom');
    expect(fn).toHaveBeenCalledTimes(5);
    expect(breaker.state).toBe('disabled');
    breaker.enable();
    expect(breaker.state).toBe('closed');
    // The failures counted while disabled are still there: one more opens it.
    await fail(breaker, 1);
    expect(breaker.state).toBe('open');
    breaker.enable();
    expect(breaker.state).toBe('open');
  });
});

describe('circuit breaker housekeeping', () => {
  it('brings retryAfterMs up to date on each rejection', async () => {
    const { clock, breaker } = tripped(1, 10_000);
    await fail(breaker, 1);
    const first = (await outcome(breaker, ok)).error as CircuitOpenError;
    expect(first.retryAfterMs).toBe(10_000);
    clock.advance(2_500);
    const second = (await outcome(breaker, ok)).error as CircuitOpenError;
    expect(second.retryAfterMs).toBe(7_500);
    expect(second.stack ?? '').not.toMatch(/\n\s+at /);
  });

  it('starts no timer, whatever it goes through', async () => {
    vi.useFakeTimers();
    try {
      const { clock, breaker } = tripped(1, 1_000);
      await fail(breaker, 1);
      await outcome(breaker, ok);
      clock.advance(1_000);
      await breaker.execute(ok);
      breaker.isolate();
      breaker.disable();
      breaker.enable();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('executeDetailed reports the attempt and rejects before the call on an aborted signal', async () => {
    const { breaker } = tripped();
    await expect(breaker.executeDetailed(ok)).resolves.toMatchObject({
      value: 'ok',
      attempts: 1,
      fromFallback: false,
      source: 'primary',
    });
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const fn = vi.fn(ok);
    await expect(breaker.execute(fn, controller.signal)).rejects.toThrow('gone');
    expect(fn).not.toHaveBeenCalled();
  });

  it("hands the function attempt 1 and a signal of the call's own that follows the caller's", async () => {
    const { breaker } = tripped();
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    let finish: (() => void) | undefined;
    const running = breaker.execute((ctx) => {
      signal = ctx.signal;
      expect(ctx.attempt).toBe(1);
      return new Promise<void>((resolve) => (finish = resolve));
    }, controller.signal);
    expect(signal).not.toBe(controller.signal);
    expect(signal?.aborted).toBe(false);
    controller.abort(new Error('caller left'));
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(controller.signal.reason);
    finish?.();
    await running;
  });
});
