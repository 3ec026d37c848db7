import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransientError, isCircuitOpenError } from '../../src/core/errors/index.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';

const CALLS = 2_000;
const MAX_PROBES = 3;

describe('concurrency', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('2,000 concurrent calls through a flapping function: exact counts, never more than halfOpen.maxCalls probes', async () => {
    const resilience = createResilience({
      config: {
        operations: {
          flapping: {
            retry: { maxAttempts: 2, backoff: { kind: 'constant', delayMs: 5 } },
            circuitBreaker: {
              trip: { kind: 'consecutive', threshold: 5 },
              openMs: 200,
              halfOpen: { maxCalls: MAX_PROBES, successesToClose: 2 },
            },
          },
        },
      },
    });
    const started = Date.now();
    // Fails for 300 ms out of every 700 ms: the breaker opens, probes, reopens and closes many times.
    const failingNow = (): boolean => (Date.now() - started) % 700 >= 400;
    let invocations = 0;
    let probesInFlight = 0;
    let maxProbes = 0;
    const retries = { observed: 0 };
    resilience.observe({ onRetry: () => retries.observed++ });
    const breaker = () => resilience.breaker('flapping');

    const flapping = async (id: number): Promise<string> => {
      invocations++;
      const probing = breaker()?.state === 'half-open';
      if (probing) maxProbes = Math.max(maxProbes, ++probesInFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 10 + (id % 7) * 5));
        if (failingNow()) throw new TransientError(`call ${id} failed`);
        return `answer ${id}`;
      } finally {
        if (probing) probesInFlight--;
      }
    };
    const wrapped = resilience.wrap('flapping', flapping, {
      fallback: (error, id) => {
        if (id % 2 === 0) return `fallback ${id}`;
        throw error;
      },
    });

    const seen = { direct: 0, fallback: 0, failed: 0, rejectedFailed: 0 };
    const calls: Promise<void>[] = [];
    for (let id = 0; id < CALLS; id++) {
      // 2,000 calls in 40 waves of 50 that overlap in time.
      if (id % 50 === 0 && id > 0) await vi.advanceTimersByTimeAsync(60);
      calls.push(
        wrapped(id).then(
          (value) => {
            if (value.startsWith('fallback')) seen.fallback++;
            else seen.direct++;
          },
          (error: unknown) => {
            seen.failed++;
            if (isCircuitOpenError(error)) seen.rejectedFailed++;
          },
        ),
      );
    }
    await vi.runAllTimersAsync();
    await Promise.all(calls);

    const metrics = resilience.metrics('flapping');
    expect(seen.direct + seen.fallback + seen.failed).toBe(CALLS);
    expect(metrics?.totalCalls).toBe(CALLS);
    expect(metrics?.inFlight).toBe(0);
    expect(metrics?.successfulCalls).toBe(seen.direct);
    expect(metrics?.fallbackCalls).toBe(seen.fallback);
    expect(metrics?.failedCalls).toBe(seen.fallback + seen.failed);
    expect(metrics?.retryAttempts).toBe(retries.observed);
    expect(metrics?.rejectedCalls).toBeGreaterThanOrEqual(seen.rejectedFailed);
    // Every call is timed until a thousand are recorded, then a random eighth of them.
    expect(metrics?.latency.count).toBeGreaterThanOrEqual(1_000);
    expect(metrics?.latency.count).toBeLessThan(CALLS);
    // The story really flapped: the breaker opened several times and both outcomes happened.
    expect(metrics?.circuitOpens).toBeGreaterThan(3);
    expect(seen.direct).toBeGreaterThan(0);
    expect(seen.fallback).toBeGreaterThan(0);
    expect(maxProbes).toBeGreaterThan(0);
    expect(maxProbes).toBeLessThanOrEqual(MAX_PROBES);
    expect(invocations).toBeLessThan(CALLS * 2);
  });
});
