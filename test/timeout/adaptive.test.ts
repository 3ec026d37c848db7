import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createResilience,
  isTimeoutError,
  timeout,
  type TimeoutEvent,
} from '../../src/core/index.js';
import { validateConfig } from '../../src/node/config/validate.js';
import { flush, observe } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A call through `policy` that answers after `ms` of (fake) time. */
const takes = (policy: ReturnType<typeof timeout>, ms: number) =>
  observe(policy.execute(() => new Promise((resolve) => setTimeout(() => resolve(ms), ms))));

describe.each(['cooperative', 'aggressive'] as const)('adaptive timeout (%s)', (mode) => {
  it('starts from maxMs, then follows percentile × multiplier of the recent successes', async () => {
    const policy = timeout({
      mode,
      adaptive: { percentile: 90, multiplier: 2, minMs: 50, maxMs: 5_000, minSamples: 10 },
    });
    const deadlines: number[] = [];
    policy.onTimeout((event: TimeoutEvent) => deadlines.push(event.ms));
    // Until ten successes are seen, a call has maxMs: a 3-second call succeeds.
    const slow = takes(policy, 3_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(slow.value()).toBe(3_000);
    for (let i = 0; i < 20; i++) {
      const call = takes(policy, 100);
      await vi.advanceTimersByTimeAsync(100);
      expect(call.value()).toBe(100);
    }
    // p90 of the last 21 successes is 100 ms: the deadline is now 200 ms.
    const late = takes(policy, 1_000);
    await vi.advanceTimersByTimeAsync(200);
    if (mode === 'aggressive') expect(late.state()).toBe('rejected');
    await vi.advanceTimersByTimeAsync(1_000);
    await flush();
    expect(isTimeoutError(late.error())).toBe(true);
    expect(deadlines).toEqual([200]);
  });

  it('keeps the deadline within [minMs, maxMs]', async () => {
    const policy = timeout({
      mode,
      adaptive: { multiplier: 2, minMs: 500, maxMs: 700, minSamples: 1, window: 5 },
    });
    const deadlines: number[] = [];
    policy.onTimeout((event) => deadlines.push(event.ms));
    const quick = takes(policy, 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(quick.value()).toBe(1);
    // p99 × 2 = 2 ms, raised to minMs: a 400 ms call still fits.
    const fits = takes(policy, 400);
    await vi.advanceTimersByTimeAsync(400);
    expect(fits.value()).toBe(400);
    // p99 × 2 = 800 ms, lowered to maxMs: a 750 ms call is cut at 700.
    const over = takes(policy, 750);
    await vi.advanceTimersByTimeAsync(1_500);
    await flush();
    expect(isTimeoutError(over.error())).toBe(true);
    expect(deadlines).toEqual([700]);
  });
});

describe('adaptive timeout options', () => {
  it('refuses bad options, naming them', () => {
    expect(() => timeout({ adaptive: { minMs: 0, maxMs: 10 } })).toThrow(/adaptive\.minMs/);
    expect(() => timeout({ adaptive: { minMs: 100, maxMs: 10 } })).toThrow(/adaptive\.maxMs/);
    expect(() => timeout({ adaptive: { minMs: 1, maxMs: 10, percentile: 101 } })).toThrow(
      /adaptive\.percentile/,
    );
    expect(() => timeout({ adaptive: { minMs: 1, maxMs: 10, multiplier: 0.5 } })).toThrow(
      /adaptive\.multiplier/,
    );
    expect(() => timeout({ ms: 5, adaptive: { minMs: 1, maxMs: 10 } })).toThrow(/ms/);
    expect(timeout({ adaptive: { minMs: 1, maxMs: 10 } }).ms).toBe(10);
  });

  it('the orchestrator and the node schema accept an adaptive timeout', async () => {
    const config = {
      operations: { ask: { retry: false, timeout: { adaptive: { minMs: 50, maxMs: 200 } } } },
    } as const;
    expect(validateConfig(config).valid).toBe(true);
    expect(
      validateConfig({ operations: { ask: { timeout: { adaptive: { minMs: 50 } } } } }).valid,
    ).toBe(false);
    const resilience = createResilience({ config });
    const ask = resilience.wrap('ask', () => new Promise<never>(() => undefined));
    const call = observe(ask());
    await vi.advanceTimersByTimeAsync(200);
    expect(isTimeoutError(call.error())).toBe(true);
  });
});
