/* eslint-disable @typescript-eslint/require-await -- async functions stand in for real async operations */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { valueOf } from './helpers.js';

describe('operation lifecycle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('removeOperation drops the breaker, the metrics and the listeners', async () => {
    const resilience = createResilience();
    const transitions: string[] = [];
    const lifecycle: string[] = [];
    resilience.observe({
      onStateChange: (event) => transitions.push(`${event.operation}:${event.to}`),
      onOperationAdded: (event) => lifecycle.push(`+${event.operation}`),
      onOperationRemoved: (event) => lifecycle.push(`-${event.operation}`),
    });
    const wrapped = resilience.wrap('temporary', async () => 'ok');
    await valueOf(wrapped());
    const oldBreaker = resilience.breaker('temporary');
    const oldMetrics = resilience.metrics('temporary');
    expect(resilience.removeOperation('temporary')).toBe(true);
    expect(resilience.removeOperation('temporary')).toBe(false);
    expect(resilience.breaker('temporary')).toBeUndefined();
    expect(resilience.metrics('temporary')).toBeUndefined();
    expect(resilience.operations()).toEqual([]);

    oldBreaker?.isolate();
    expect(transitions).toEqual([]);
    expect(oldMetrics?.circuitOpens).toBe(0);

    await valueOf(wrapped());
    expect(resilience.breaker('temporary')).not.toBe(oldBreaker);
    expect(resilience.breaker('temporary')?.state).toBe('closed');
    expect(resilience.metrics('temporary')?.totalCalls).toBe(1);
    expect(lifecycle).toEqual(['+temporary', '-temporary', '+temporary']);
  });

  it('100,000 distinct operations come and go without leaving anything behind', async () => {
    const resilience = createResilience();
    const seen = { ends: 0 };
    const unsubscribe = resilience.observe({ onCallEnd: () => seen.ends++ });
    for (let round = 0; round < 10; round++) {
      const names: string[] = [];
      for (let i = 0; i < 10_000; i++) {
        const name = `op-${round}-${i}`;
        names.push(name);
        await resilience.execute(name, () => i);
      }
      expect(resilience.operations()).toHaveLength(10_000);
      for (const name of names) resilience.removeOperation(name);
      expect(resilience.operations()).toHaveLength(0);
    }
    expect(seen.ends).toBe(100_000);
    expect(resilience.healthStatus().totalCircuitBreakers).toBe(0);
    expect(resilience.allMetrics().summary.totalOperations).toBe(0);
    unsubscribe();
  });

  it('an idle operation allocates no latency buckets', () => {
    const resilience = createResilience();
    resilience.wrap('idle', async () => 'ok');
    const histogram = resilience.metrics('idle')?.latency as unknown as { counts: unknown };
    expect(histogram.counts).toBeUndefined();
  });
});
