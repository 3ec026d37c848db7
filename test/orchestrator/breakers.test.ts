/* eslint-disable @typescript-eslint/require-await -- async functions stand in for real async operations */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitOpenError, TransientError } from '../../src/core/errors/index.js';
import type { OperationConfig } from '../../src/core/orchestrator/config.js';
import { memoryStore } from '../../src/core/breaker/memory-store.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { failureOf, valueOf } from './helpers.js';

/** The seed's set-up: an aggressive strategy whose breaker opens after 2 failures for 1 s. */
const quickBreaker: OperationConfig = {
  retry: false,
  circuitBreaker: { trip: { kind: 'consecutive', threshold: 2 }, openMs: 1_000 },
};

describe('per-operation breakers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('go closed → open → half-open → open when the probe fails', async () => {
    const resilience = createResilience();
    let calls = 0;
    const failing = resilience.wrap(
      'state_test',
      async (): Promise<string> => {
        calls++;
        throw new TransientError('always fails');
      },
      { strategy: 'aggressive', config: quickBreaker },
    );
    const breaker = resilience.breaker('state_test');
    expect(breaker?.state).toBe('closed');
    expect(await failureOf(failing())).toBeInstanceOf(TransientError);
    expect(await failureOf(failing())).toBeInstanceOf(TransientError);
    expect(breaker?.state).toBe('open');
    const rejected = await failureOf(failing());
    expect(rejected).toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(2);

    await vi.advanceTimersByTimeAsync(1_100);
    expect(await failureOf(failing())).toBeInstanceOf(TransientError);
    expect(calls).toBe(3);
    expect(breaker?.state).toBe('open');
    expect(resilience.metrics('state_test')?.circuitOpens).toBe(2);
  });

  it('close again when the probe succeeds after the open time', async () => {
    const resilience = createResilience();
    let calls = 0;
    const flaky = resilience.wrap(
      'recovery_test',
      async (): Promise<string> => {
        calls++;
        if (calls <= 2) throw new TransientError('initial failures');
        return 'success';
      },
      { strategy: 'aggressive', config: quickBreaker },
    );
    await failureOf(flaky());
    await failureOf(flaky());
    expect(resilience.breaker('recovery_test')?.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1_100);
    expect(await valueOf(flaky())).toBe('success');
    expect(resilience.breaker('recovery_test')?.state).toBe('closed');
  });

  it('are isolated: one operation open does not stop another', async () => {
    const resilience = createResilience();
    const op1 = resilience.wrap(
      'isolated_op_1',
      async (): Promise<string> => {
        throw new TransientError('op1 fails');
      },
      { config: quickBreaker },
    );
    const op2 = resilience.wrap('isolated_op_2', async () => 'op2 success', {
      config: quickBreaker,
    });
    await failureOf(op1());
    await failureOf(op1());
    expect(await valueOf(op2())).toBe('op2 success');
    const cb1 = resilience.breaker('isolated_op_1');
    const cb2 = resilience.breaker('isolated_op_2');
    expect(cb1).toBeDefined();
    expect(cb2).toBeDefined();
    expect(cb1).not.toBe(cb2);
    expect(cb1?.state).toBe('open');
    expect(cb2?.state).toBe('closed');
    expect(resilience.metrics('isolated_op_2')?.successfulCalls).toBe(1);
    expect(resilience.metrics('isolated_op_1')?.successfulCalls).toBe(0);
  });

  it('are shared by every function wrapped under the same operation name', async () => {
    const resilience = createResilience();
    const a = resilience.wrap(
      'shared',
      async (): Promise<string> => {
        throw new TransientError('down');
      },
      { config: quickBreaker },
    );
    const b = resilience.wrap('shared', async () => 'fine', { config: quickBreaker });
    await failureOf(a());
    await failureOf(a());
    expect(await failureOf(b())).toBeInstanceOf(CircuitOpenError);
    expect(resilience.metrics('shared')?.totalCalls).toBe(3);
    expect(resilience.metrics('shared')?.rejectedCalls).toBe(1);
  });

  it('keep their state in the given store: two orchestrators share an operation’s breaker', () => {
    const store = memoryStore();
    const first = createResilience({ store });
    const second = createResilience({ store });
    first.wrap('shared_by_store', async () => 'ok');
    second.wrap('shared_by_store', async () => 'ok');
    first.breaker('shared_by_store')?.isolate();
    expect(second.breaker('shared_by_store')?.state).toBe('isolated');
    expect(second.healthStatus().openCircuitBreakers).toEqual(['shared_by_store']);
  });

  it('do not count permanent errors as failures', async () => {
    const resilience = createResilience();
    const bad = resilience.wrap(
      'permanent_only',
      async (): Promise<string> => {
        throw Object.assign(new Error('bad request'), { status: 400 });
      },
      { config: quickBreaker },
    );
    for (let i = 0; i < 5; i++) await failureOf(bad());
    expect(resilience.breaker('permanent_only')?.state).toBe('closed');
    expect(resilience.metrics('permanent_only')?.failedCalls).toBe(5);
  });
});
