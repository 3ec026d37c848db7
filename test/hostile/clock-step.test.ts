import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackgroundRecovery,
  CircuitOpenError,
  HealthProbe,
  RateLimiterRejectedError,
  circuitBreaker,
  consecutive,
  createResilience,
  failureRate,
  retry,
  retryBudget,
  staleCache,
  timeout,
  constant,
  hedge,
  rateLimit,
} from '../../src/core/index.js';
import { systemClock } from '../../src/core/clock.js';
import { ManualClock } from '../support/clock.js';

/**
 * An NTP step or a resumed VM moves the wall clock (`Date.now()`) but not the monotonic one
 * (`performance.now()`); fake timers model both, and `vi.setSystemTime` steps only the first.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const steps = [
  ['back one hour', -HOUR],
  ['forward one day', DAY],
] as const;

const stepWallClock = (ms: number): void => {
  vi.setSystemTime(Date.now() + ms);
};
const unavailable = (): Promise<never> =>
  Promise.reject(Object.assign(new Error('down'), { status: 503 }));

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe.each(steps)('the wall clock steps %s', (_, step) => {
  it('a rate limiter keeps refilling, and its retryAfterMs stays true', async () => {
    const limiter = rateLimit1PerSecond();
    await limiter.execute(() => 'first');
    stepWallClock(step);
    const rejected = await limiter.execute(() => 'second').catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(RateLimiterRejectedError);
    const retryAfterMs = (rejected as RateLimiterRejectedError).retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(1_000);
    await vi.advanceTimersByTimeAsync(retryAfterMs);
    await expect(limiter.execute(() => 'third')).resolves.toBe('third');
  });

  it('an open breaker probes after openMs, not after the step', async () => {
    const breaker = circuitBreaker({ trip: consecutive(1), openMs: 5_000 });
    await breaker.execute(unavailable).catch(() => undefined);
    expect(breaker.state).toBe('open');
    stepWallClock(step);
    const rejected = await breaker.execute(() => 'no').catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(CircuitOpenError);
    expect((rejected as CircuitOpenError).retryAfterMs).toBeLessThanOrEqual(5_000);
    expect((rejected as CircuitOpenError).retryAfterMs).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(breaker.execute(() => 'probe')).resolves.toBe('probe');
    expect(breaker.state).toBe('closed');
  });

  it('a time-window breaker keeps counting the calls of its window', async () => {
    const trip = failureRate({
      threshold: 0.5,
      minimumCalls: 2,
      window: { kind: 'time', ms: 10_000 },
    });
    const breaker = circuitBreaker({ trip, openMs: 1_000 });
    await breaker.execute(unavailable).catch(() => undefined);
    stepWallClock(step);
    await breaker.execute(unavailable).catch(() => undefined);
    expect(breaker.state).toBe('open');
  });

  it('a HealthProbe serves its cache for cacheTtlMs, not for the step', async () => {
    let checks = 0;
    const probe = new HealthProbe({ check: () => (checks++, true), cacheTtlMs: 30_000 });
    await probe.check();
    stepWallClock(step);
    await probe.check();
    expect(checks).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    await probe.check();
    expect(checks).toBe(2);
  });

  it('durationMs is the time that passed, never negative', async () => {
    const policy = timeout({ ms: 60_000 });
    const call = policy.executeDetailed(async () => {
      stepWallClock(step);
      await new Promise((resolve) => setTimeout(resolve, 250));
      return 'done';
    });
    await vi.advanceTimersByTimeAsync(250);
    await expect(call).resolves.toMatchObject({ value: 'done', durationMs: 250 });
  });

  it('the orchestrator: durations, breaker open time and timestamps', async () => {
    const resilience = createResilience();
    const op = resilience.wrap('stepped', unavailable, {
      config: {
        retry: false,
        timeout: false,
        circuitBreaker: { trip: { kind: 'consecutive', threshold: 1 }, openMs: 2_000 },
      },
    });
    await op().catch(() => undefined);
    stepWallClock(step);
    const detailed = await op.detailed().catch((error: unknown) => error);
    expect(detailed).toBeInstanceOf(CircuitOpenError);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(resilience.breaker('stepped')?.state).toBe('half-open'); // due to probe after openMs, the step notwithstanding;
    const late = await op
      .detailed()
      .then(() => 'answered')
      .catch(() => 'probed and failed');
    expect(late).toBe('probed and failed');
    // Timestamps shown to people are wall-clock time, the step included.
    const lastFailure = resilience.metrics('stepped')?.lastFailure?.getTime() ?? 0;
    expect(Math.abs(lastFailure - Date.now())).toBeLessThan(10);
    expect(Math.abs(Date.parse(resilience.healthStatus().timestamp) - Date.now())).toBeLessThan(10);
  });

  it('retry: maxElapsedMs and the budget window measure real time', async () => {
    const budget = retryBudget({ ratio: 0, minRetriesPerSecond: 1, windowMs: 1_000 });
    const policy = retry({ maxAttempts: 5, backoff: constant(100), maxElapsedMs: 250, budget });
    let calls = 0;
    const call = policy
      .execute(() => {
        calls++;
        if (calls === 1) stepWallClock(step);
        return unavailable();
      })
      .catch(() => 'gave up');
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(call).resolves.toBe('gave up');
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(3);
  });

  it('a stale cache serves an entry for ttlMs, not for the step', async () => {
    const cache = staleCache<string>({ key: 'k', ttlMs: 10_000 });
    await cache.execute(() => 'remembered');
    stepWallClock(step);
    await expect(cache.execute(unavailable)).resolves.toBe('remembered');
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(cache.execute(unavailable)).rejects.toThrow('down');
  });

  it('a hedge with a percentile delay waits its delay', async () => {
    const policy = hedge({ delayMs: { percentile: 90, initialMs: 100 } });
    let attempts = 0;
    const call = policy.execute(
      () =>
        new Promise<string>((resolve) => {
          attempts++;
          if (attempts === 1) stepWallClock(step);
          setTimeout(() => resolve(`attempt ${attempts}`), 1_000);
        }),
    );
    await vi.advanceTimersByTimeAsync(99);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(2);
    expect(attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(call).resolves.toMatch(/attempt/);
  });

  it('BackgroundRecovery waits its delay and keeps its total budget', async () => {
    let attempts = 0;
    const recovery = new BackgroundRecovery({
      recover: () => (attempts++, false),
      baseDelayMs: 1_000,
      maxDelayMs: 1_000,
      jitter: 0,
      maxTotalMs: 5_000,
    });
    recovery.start();
    await vi.advanceTimersByTimeAsync(0);
    stepWallClock(step);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(recovery.state).toBe('paused');
    await recovery.stop();
  });
});

describe('an injected clock that steps back does not wedge either', () => {
  it('a rate limiter refills from the new reading', async () => {
    const clock = new ManualClock(10 * HOUR);
    const limiter = rateLimit1PerSecond(clock);
    await limiter.execute(() => 1);
    clock.advance(-HOUR);
    await expect(limiter.execute(() => 2)).rejects.toBeInstanceOf(RateLimiterRejectedError);
    clock.advance(1_000);
    await expect(limiter.execute(() => 3)).resolves.toBe(3);
  });

  it('an open breaker waits at most openMs from the step', async () => {
    const clock = new ManualClock(10 * HOUR);
    const breaker = circuitBreaker({ trip: consecutive(1), openMs: 5_000, clock });
    await breaker.execute(unavailable).catch(() => undefined);
    clock.advance(-HOUR);
    const rejected = (await breaker.execute(() => 0).catch((e: unknown) => e)) as CircuitOpenError;
    expect(rejected.retryAfterMs).toBeLessThanOrEqual(5_000);
    clock.advance(5_000);
    await expect(breaker.execute(() => 'probe')).resolves.toBe('probe');
  });

  it('a HealthProbe checks again rather than trusting an answer of unknown age', async () => {
    const clock = new ManualClock(10 * HOUR);
    let checks = 0;
    const probe = new HealthProbe({ check: () => (checks++, true), cacheTtlMs: 30_000, clock });
    await probe.check();
    clock.advance(-HOUR);
    await probe.check();
    expect(checks).toBe(2);
  });
});

function rateLimit1PerSecond(clock?: ManualClock) {
  return rateLimit({ rate: 1, intervalMs: 1_000, burst: 1, ...(clock ? { clock } : {}) });
}

describe('the default clock', () => {
  it('never runs backwards when the timers are swapped, and then advances with them', () => {
    vi.useRealTimers();
    const real = systemClock.now();
    // Fake timers start their monotonic clock again from zero: the tick source moves back.
    vi.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z') });
    const swapped = systemClock.now();
    expect(swapped).toBeGreaterThanOrEqual(real);
    vi.advanceTimersByTime(1_000);
    expect(systemClock.now() - swapped).toBeCloseTo(1_000, 2);
  });
});
