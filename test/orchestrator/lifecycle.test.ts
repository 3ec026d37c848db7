/* eslint-disable @typescript-eslint/require-await -- async functions stand in for real async operations */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryStore, type CircuitStore } from '../../src/core/index.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { heapAfterGc } from '../support/gc.js';
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

  it.each([
    ['without a store', undefined],
    ['with a memoryStore', memoryStore()],
  ])(
    '100,000 distinct operations come and go without leaving anything behind (%s)',
    async (_, store) => {
      const resilience = createResilience(store === undefined ? {} : { store });
      const seen = { ends: 0 };
      const unsubscribe = resilience.observe({ onCallEnd: () => seen.ends++ });
      // Some breakers of the first and the last round, watched for collection.
      const watched: WeakRef<object>[] = [];
      let heapAfterFirstRound = 0;
      for (let round = 0; round < 10; round++) {
        const names: string[] = [];
        for (let i = 0; i < 10_000; i++) {
          const name = `op-${round}-${i}`;
          names.push(name);
          await resilience.execute(name, () => i);
          if (i % 1_000 === 0 && (round === 0 || round === 9)) {
            watched.push(new WeakRef(resilience.breaker(name) as object));
          }
        }
        expect(resilience.operations()).toHaveLength(10_000);
        for (const name of names) resilience.removeOperation(name);
        expect(resilience.operations()).toHaveLength(0);
        if (round === 0) heapAfterFirstRound = await heapAfterTask();
      }
      // 90,000 more breakers held anywhere would be tens of megabytes.
      expect((await heapAfterTask()) - heapAfterFirstRound).toBeLessThan(5_000_000);
      expect(watched.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
      expect(seen.ends).toBe(100_000);
      expect(resilience.healthStatus().totalCircuitBreakers).toBe(0);
      expect(resilience.allMetrics().summary.totalOperations).toBe(0);
      unsubscribe();
    },
  );

  it('an idle operation allocates no latency buckets', () => {
    const resilience = createResilience();
    resilience.wrap('idle', async () => 'ok');
    const histogram = resilience.metrics('idle')?.latency as unknown as { counts: unknown };
    expect(histogram.counts).toBeUndefined();
  });

  it('removeOperation and a replaced breaker leave the store; the breaker kept by updateConfig stays', async () => {
    const { store, links } = countingStore();
    const resilience = createResilience({ store });
    await resilience.execute('a', () => 1);
    await resilience.execute('b', () => 1);
    expect(links()).toEqual({ attached: 2, detached: 0 });

    // Settings unchanged: the same breaker, still attached.
    const kept = resilience.breaker('a');
    resilience.updateConfig({ operations: { b: { timeout: 500 } } });
    expect(resilience.breaker('a')).toBe(kept);
    expect(links()).toEqual({ attached: 2, detached: 0 });

    // Settings changed: a new breaker attaches, the old one leaves.
    resilience.updateConfig({ operations: { a: { circuitBreaker: { openMs: 1_000 } } } });
    expect(resilience.breaker('a')).not.toBe(kept);
    expect(links()).toEqual({ attached: 3, detached: 1 });

    // A change that fails validation: the breakers built for it leave again, the old stay.
    const current = resilience.breaker('a');
    expect(() =>
      resilience.updateConfig({
        operations: { a: { circuitBreaker: { openMs: 2_000 }, timeout: -1 } },
      }),
    ).toThrow();
    expect(resilience.breaker('a')).toBe(current);
    expect(links()).toEqual({ attached: 4, detached: 2 });

    expect(resilience.removeOperation('a')).toBe(true);
    expect(resilience.removeOperation('b')).toBe(true);
    expect(links()).toEqual({ attached: 4, detached: 4 });
  });

  it('with a memoryStore, an operation removed while open comes back open; one removed closed comes back fresh', async () => {
    const store = memoryStore();
    const resilience = createResilience({ store });
    await resilience.execute('flaky', () => 1);
    resilience.breaker('flaky')?.isolate();
    await resilience.execute('fine', () => 1);
    resilience.removeOperation('flaky');
    resilience.removeOperation('fine');
    await resilience.execute('fine', () => 1);
    expect(resilience.breaker('fine')?.toJSON()).toMatchObject({ state: 'closed', version: 0 });
    await expect(resilience.execute('flaky', () => 1)).rejects.toThrow(/isolated/);
    expect(resilience.breaker('flaky')?.state).toBe('isolated');
  });
});

/**
 * The heap after a full collection, once the current task is over: the loops above run as
 * one chain of microtasks, and the engine keeps every object a `WeakRef` was made for alive
 * until the task ends.
 */
async function heapAfterTask(): Promise<number> {
  vi.useRealTimers();
  await new Promise((resolve) => setImmediate(resolve));
  const heap = heapAfterGc();
  vi.useFakeTimers();
  return heap;
}

/** A memoryStore that counts the breakers attached to it and detached from it. */
function countingStore(): {
  store: CircuitStore;
  links: () => { attached: number; detached: number };
} {
  const inner = memoryStore();
  let attached = 0;
  let detached = 0;
  const store: CircuitStore = {
    attach(circuit) {
      attached++;
      const link = inner.attach(circuit);
      return {
        recordTransition: (snapshot, from) => link.recordTransition(snapshot, from),
        detach: () => {
          detached++;
          link.detach?.();
        },
      };
    },
    close: () => inner.close(),
  };
  return { store, links: () => ({ attached, detached }) };
}
