/* eslint-disable @typescript-eslint/require-await -- async functions stand in for real async operations */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransientError } from '../../src/core/errors/index.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { strategies } from '../../src/core/orchestrator/strategies.js';
import { failureOf, valueOf } from './helpers.js';

/** A function that throws a transient error `failures` times, then answers. */
function failingTimes(failures: number) {
  const calls = { count: 0 };
  const fn = async (): Promise<string> => {
    calls.count++;
    if (calls.count <= failures) throw new TransientError(`failure ${calls.count}`);
    return 'success';
  };
  return { fn, calls };
}

describe('strategies', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('allow 2, 3, 5 and 7 attempts, with breakers that grow more tolerant', () => {
    const resilience = createResilience();
    expect(resilience.strategies.aggressive.retry.maxAttempts).toBe(2);
    expect(resilience.strategies.balanced.retry.maxAttempts).toBe(3);
    expect(resilience.strategies.conservative.retry.maxAttempts).toBe(5);
    expect(resilience.strategies.critical.retry.maxAttempts).toBe(7);
    const thresholds = (['aggressive', 'balanced', 'conservative', 'critical'] as const).map(
      (name) => {
        const trip = strategies[name].circuitBreaker.trip;
        return trip?.kind === 'consecutive' ? trip.threshold : Number.NaN;
      },
    );
    expect(thresholds).toEqual([...thresholds].sort((a, b) => a - b));
    expect(strategies.aggressive.circuitBreaker.openMs).toBeLessThan(
      strategies.conservative.circuitBreaker.openMs,
    );
  });

  it('aggressive: a transient failure is retried once, quickly', async () => {
    const resilience = createResilience();
    const { fn, calls } = failingTimes(1);
    const started = Date.now();
    const wrapped = resilience.wrap('aggressive_test', fn, { strategy: 'aggressive' });
    expect(await valueOf(wrapped())).toBe('success');
    expect(calls.count).toBe(2);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('aggressive: gives up after 2 attempts', async () => {
    const resilience = createResilience();
    const { fn, calls } = failingTimes(5);
    const error = await failureOf(
      resilience.wrap('aggressive_gives_up', fn, { strategy: 'aggressive' })(),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect(calls.count).toBe(2);
  });

  it('conservative: succeeds on the 4th of up to 5 attempts, counting the retries', async () => {
    const resilience = createResilience();
    const { fn, calls } = failingTimes(3);
    const wrapped = resilience.wrap('conservative_test', fn, { strategy: 'conservative' });
    expect(await valueOf(wrapped())).toBe('success');
    expect(calls.count).toBe(4);
    expect(resilience.metrics('conservative_test')?.retryAttempts).toBe(3);
  });

  it('critical: succeeds on the 6th attempt of up to 7', async () => {
    const resilience = createResilience();
    const { fn, calls } = failingTimes(5);
    const wrapped = resilience.wrap('critical_test', fn, { strategy: 'critical' });
    expect(await valueOf(wrapped())).toBe('success');
    expect(calls.count).toBe(6);
  });

  it('critical: 7 attempts in all, then the last error', async () => {
    const resilience = createResilience();
    const { fn, calls } = failingTimes(100);
    const error = await failureOf(resilience.wrap('critical_all', fn, { strategy: 'critical' })());
    expect((error as Error).message).toBe('failure 7');
    expect(calls.count).toBe(7);
  });

  it('balanced is the default', async () => {
    const resilience = createResilience();
    const { fn, calls } = failingTimes(100);
    await failureOf(resilience.wrap('default_strategy', fn)());
    expect(calls.count).toBe(3);
  });

  it('accepts a strategy as a string or as a constant', async () => {
    const resilience = createResilience();
    const byName = resilience.wrap('string_strategy_test', async () => 'success', {
      strategy: 'aggressive',
    });
    const byConstant = resilience.wrap('constant_strategy_test', async () => 'success', {
      strategy: strategies.critical,
    });
    expect(await valueOf(byName())).toBe('success');
    expect(await valueOf(byConstant())).toBe('success');
    expect(resilience.operations()).toEqual(['string_strategy_test', 'constant_strategy_test']);
  });

  it('an unknown strategy name fails when wrap is called, listing the valid ones', () => {
    const resilience = createResilience();
    const wrapUnknown = () =>
      resilience.wrap('invalid_strategy_test', async () => 'success', {
        strategy: 'invalid_strategy' as 'balanced',
      });
    expect(wrapUnknown).toThrow(RangeError);
    expect(wrapUnknown).toThrow(
      /'aggressive', 'balanced', 'conservative', 'critical', got "invalid_strategy"/,
    );
    expect(resilience.operations()).toEqual([]);
  });
});
