import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  HealthProbe,
  bulkhead,
  chaos,
  circuitBreaker,
  consecutive,
  constant,
  createResilience,
  failureRate,
  fallback,
  hedge,
  retry,
  retryBudget,
  staleCache,
} from '../../src/core/index.js';

const boom = (): never => {
  throw new Error('boom');
};
const unavailable = (): Promise<never> =>
  Promise.reject(Object.assign(new Error('down'), { status: 503 }));

afterEach(() => {
  vi.useRealTimers();
});

describe('defect 4: a throwing user callback is the call’s rejection', () => {
  it('hedge({ on }) throwing rejects the call instead of never settling', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const policy = hedge({ delayMs: 5, on: boom });
      await expect(policy.execute(unavailable)).rejects.toThrow('boom');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it.each([
    ['chaos random', () => chaos({ faultRate: 0.5, random: boom }).execute(() => 1)],
    ['staleCache key', () => staleCache<number>({ key: boom, ttlMs: 1_000 }).execute(() => 1)],
    ['fallback to', () => fallback({ to: boom }).execute(unavailable)],
    ['retry retryOn', () => retry({ retryOn: boom }).execute(unavailable)],
    ['retry backoff', () => retry({ backoff: boom }).execute(unavailable)],
    [
      'a clock that throws mid-call',
      () => {
        let reads = 0;
        const clock = { now: () => (++reads > 2 ? boom() : 0) };
        return retry({ clock, maxElapsedMs: 1_000, backoff: constant(0) }).execute(unavailable);
      },
    ],
    [
      'an orchestrator fallback',
      () =>
        createResilience().wrap('throwing-fallback', unavailable, {
          fallback: boom,
          config: { retry: false },
        })(),
    ],
  ])('%s', async (_, run) => {
    let pending: Promise<unknown> | undefined;
    expect(() => (pending = run())).not.toThrow();
    await expect(pending).rejects.toThrow(/boom|down/);
  });

  it('a throwing openMs function leaves the breaker working', async () => {
    const breaker = circuitBreaker({ trip: consecutive(1), openMs: boom });
    await expect(breaker.execute(unavailable)).rejects.toThrow('down');
    await expect(breaker.execute(() => 'probe')).resolves.toBe('probe');
    expect(breaker.state).toBe('closed');
  });
});

describe('defect 5: bounded constructors, and zero-delay loops yield', () => {
  it('retry({ maxAttempts: Infinity, backoff: constant(0) }) lets timers run', async () => {
    const controller = new AbortController();
    let ticks = 0;
    const ticker = setInterval(() => {
      if (++ticks === 3) controller.abort(new Error('enough'));
    }, 0);
    try {
      const policy = retry({ maxAttempts: Infinity, backoff: constant(0) });
      await expect(policy.execute(unavailable, controller.signal)).rejects.toThrow();
      expect(ticks).toBeGreaterThanOrEqual(3);
    } finally {
      clearInterval(ticker);
    }
  });

  it('hedge maxHedges 2**31 is refused with its bound', () => {
    expect(() => hedge({ delayMs: 5, maxHedges: 2 ** 31 })).toThrow(
      new RangeError('hedge: maxHedges must be an integer ≥ 1 and ≤ 100, got 2147483648'),
    );
  });
});

describe('defect 9: every option checked at construction', () => {
  it.each([
    [
      'bulkhead()',
      () => bulkhead(undefined as never),
      /bulkhead: options must be an options object, got undefined/,
    ],
    [
      'fallback(5)',
      () => fallback(5 as never),
      /fallback: options must be an options object, got 5/,
    ],
    [
      'createResilience(null)',
      () => createResilience(null as never),
      /createResilience: options must be an object, got null/,
    ],
    [
      'wrap(op, fn, null)',
      () => createResilience().wrap('op', () => 1, null as never),
      /resilience.wrap: options must be an object, got null/,
    ],
    [
      'clock: null',
      () => retry({ clock: null as never }),
      /retry: clock must be an object with a now\(\) method/,
    ],
    ['clock: { now: 5 }', () => retry({ clock: { now: 5 } as never }), /retry: clock must be/],
    [
      'retryBudget clock: 5',
      () => retryBudget({ clock: 5 as never }),
      /retryBudget: clock must be/,
    ],
    [
      'createResilience clock 1.5',
      () => createResilience({ clock: 1.5 as never }),
      /createResilience: clock must be/,
    ],
    [
      'a clock returning NaN',
      () => circuitBreaker({ clock: { now: () => Number.NaN } }),
      /circuitBreaker: clock.now\(\) must be finite milliseconds, got NaN/,
    ],
    [
      'halfOpen: null',
      () => circuitBreaker({ halfOpen: null as never }),
      /circuitBreaker: halfOpen must be an object/,
    ],
    [
      'slowCall: null',
      () => failureRate({ slowCall: null as never }),
      /failureRate: slowCall must be an object/,
    ],
    [
      'budget: null',
      () => retry({ budget: null as never }),
      /retry: budget must be a retry budget/,
    ],
    [
      'createResilience({ validate: false })',
      () => createResilience({ validate: false as never }),
      /createResilience: validate must be a function, got false/,
    ],
    [
      'HealthProbe(null)',
      () => new HealthProbe(null as never),
      /HealthProbe: options must be an options object/,
    ],
  ])('%s', (_, run, message) => {
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
    }
  });
});

describe('defect 11: absurd values are refused, the bound named', () => {
  it.each([
    [
      'a snapshot version of 1e308',
      () =>
        circuitBreaker({
          initialState: {
            name: 'circuit',
            state: 'closed',
            reason: 'created',
            version: 1e308,
            opens: 0,
            since: 0,
            openUntil: null,
          } as never,
        }),
      /integers from 0 to 2\^50/,
    ],
    [
      'a count window of 2^53',
      () => failureRate({ minimumCalls: 1, window: { kind: 'count', size: 2 ** 53 } }),
      /window.size must be an integer ≥ 1 and ≤ 1000000, got 9007199254740992/,
    ],
    [
      'a hedge percentile window of 2^32',
      () => hedge({ delayMs: { percentile: 95, initialMs: 5, window: 2 ** 32 } }),
      /delayMs.window must be an integer ≥ 1 and ≤ 100000, got 4294967296/,
    ],
    [
      'openMs 1e300',
      () => circuitBreaker({ openMs: 1e300 }),
      /openMs must be a number ≥ 0 and ≤ 2147483647, got 1e\+300/,
    ],
  ])('%s', (_, run, message) => {
    expect(run).toThrow(message);
  });
});
