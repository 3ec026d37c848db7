import { afterEach, describe, expect, it, vi } from 'vitest';
import { PermanentError, circuitBreaker, consecutive, failureRate } from '../../src/core/index.js';
import { onListenerError } from '../../src/core/events.js';
import { boom, ok } from './helpers.js';
import { ManualClock } from '../support/clock.js';

afterEach(() => {
  onListenerError((error) => console.error(error));
});

describe('breaker events', () => {
  it('reports state changes, successes, failures, ignored errors and rejections', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ name: 'e', trip: consecutive(1), openMs: 100, clock });
    const log: unknown[] = [];
    breaker.onStateChange((e) => void log.push(['state', e.from, e.to, e.reason, e.remote]));
    breaker.onSuccess((e) => void log.push(['success', e.durationMs, e.attempts]));
    breaker.onFailure((e) => {
      log.push(['failure', (e.error as Error).message, e.durationMs, e.attempts]);
    });
    breaker.onIgnoredError((e) => void log.push(['ignored', (e.error as Error).message]));
    breaker.onRejected((e) => {
      log.push(['rejected', e.error.state, e.retryAfterMs, e.error.retryAfterMs]);
    });

    await breaker.execute(() => {
      clock.advance(7);
      return 'x';
    });
    await expect(
      breaker.execute(() => Promise.reject(new PermanentError('404'))),
    ).rejects.toThrow();
    await expect(breaker.execute(boom)).rejects.toThrow();
    await expect(breaker.execute(ok)).rejects.toThrow();
    clock.advance(100);
    await breaker.execute(ok);
    expect(log).toEqual([
      ['success', 7, 1],
      ['ignored', '404'],
      ['failure', 'boom', 0, 1],
      ['state', 'closed', 'open', 'failures', false],
      ['rejected', 'open', 100, 100],
      ['state', 'open', 'half-open', 'open-time-elapsed', false],
      ['success', 0, 1],
      ['state', 'half-open', 'closed', 'probes-succeeded', false],
    ]);
  });

  it('a listener that throws breaks no call, and the error goes to onListenerError', async () => {
    const reported: unknown[] = [];
    onListenerError((error) => reported.push(error));
    const clock = new ManualClock();
    const breaker = circuitBreaker({ trip: consecutive(1), openMs: 10, clock });
    const throwing = (): never => {
      throw new Error('listener');
    };
    breaker.onStateChange(throwing);
    breaker.onSuccess(throwing);
    breaker.onFailure(throwing);
    breaker.onRejected(throwing);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await expect(breaker.execute(boom)).rejects.toThrow('boom');
    await expect(breaker.execute(ok)).rejects.toMatchObject({ state: 'open' });
    clock.advance(10);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(reported.length).toBe(7);
  });

  it('unsubscribing stops the events and returns to the untimed path', async () => {
    const clock = new ManualClock();
    const now = vi.spyOn(clock, 'now');
    const breaker = circuitBreaker({ clock });
    const seen = vi.fn();
    const off = breaker.onSuccess(seen);
    await breaker.execute(ok);
    expect(seen).toHaveBeenCalledTimes(1);
    off();
    off();
    now.mockClear();
    await breaker.execute(ok);
    expect(seen).toHaveBeenCalledTimes(1);
    // With a consecutive trip and nobody listening, a closed success never reads the clock.
    expect(now).not.toHaveBeenCalled();
  });

  it('times successes under a slow-call trip, so a listener can tell a slow one by durationMs', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({
      trip: failureRate({ slowCall: { ms: 10, rateThreshold: 1 } }),
      clock,
    });
    const durations: number[] = [];
    breaker.onSuccess((e) => void durations.push(e.durationMs));
    for (const ms of [11, 3]) {
      await breaker.execute(() => {
        clock.advance(ms);
        return 1;
      });
    }
    expect(durations).toEqual([11, 3]);
  });
});

describe('options', () => {
  it.each([
    [{ openMs: -1 }, /circuitBreaker: openMs must be a number ≥ 0 and ≤ 2147483647, got -1/],
    [{ halfOpen: { maxCalls: 0 } }, /halfOpen.maxCalls must be an integer ≥ 1, got 0/],
    [
      { halfOpen: { successesToClose: 1.5 } },
      /halfOpen.successesToClose must be an integer ≥ 1, got 1.5/,
    ],
    [{ name: '' }, /name must be a non-empty string/],
    [
      { isFailure: 3 },
      /isFailure must be a predicate, an error class or an array of error classes, got 3/,
    ],
    [{ trip: {} }, /trip must be consecutive/],
    [
      { clock: {} },
      /circuitBreaker: clock must be an object with a now\(\) method returning finite milliseconds, got an object/,
    ],
    [{ name: 'x', store: {} }, /store must be a CircuitStore/],
  ])('rejects %o', (options, message) => {
    expect(() => circuitBreaker(options as never)).toThrow(message);
  });

  it.each([
    [() => consecutive(0), /consecutive: threshold must be an integer ≥ 1, got 0/],
    [
      () => failureRate({ threshold: 0 }),
      /failureRate: threshold must be a number > 0 and ≤ 1, got 0/,
    ],
    [() => failureRate({ minimumCalls: 0 }), /minimumCalls must be an integer ≥ 1, got 0/],
    [
      () => failureRate({ window: { kind: 'count', size: 0 } }),
      /window.size must be an integer ≥ 1 and ≤ 1000000, got 0/,
    ],
    [
      () => failureRate({ window: { kind: 'time', ms: 0 } }),
      /window.ms must be a finite number ≥ 1, got 0/,
    ],
    [
      () => failureRate({ window: { kind: 'day' } as never }),
      /window.kind must be 'count' or 'time', got "day"/,
    ],
    [
      () => failureRate({ slowCall: { ms: 10, rateThreshold: 2 } }),
      /slowCall.rateThreshold must be a number > 0 and ≤ 1, got 2/,
    ],
  ])('trip strategies validate their options (%#)', (make, message) => {
    expect(make).toThrow(message);
  });

  it('clamps a growing open time that returns nonsense', async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({ trip: consecutive(1), openMs: () => Number.NaN, clock });
    await expect(breaker.execute(boom)).rejects.toThrow();
    expect(breaker.toJSON().openUntil).toBe(0);
  });
});
