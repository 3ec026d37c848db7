/* eslint-disable @typescript-eslint/require-await -- async functions stand in for real async operations */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransientError } from '../../src/core/errors/index.js';
import type { CallEndEvent, StateChangeEvent } from '../../src/core/orchestrator/observer.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { ManualClock } from '../support/clock.js';
import { failureOf, valueOf } from './helpers.js';

describe('metrics, health and observers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-04T05:06:07.000Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('track calls, outcomes, timestamps and latency per operation', async () => {
    const resilience = createResilience();
    const op = resilience.wrap(
      'datetime_test',
      async (ms: number, fail = false) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        if (fail) throw new TransientError('failed');
        return 'ok';
      },
      { config: { retry: false } },
    );
    const metrics = resilience.metrics('datetime_test');
    expect(metrics?.lastSuccess).toBeUndefined();
    expect(metrics?.lastFailure).toBeUndefined();
    expect(metrics?.successRate).toBe(1);

    for (let i = 1; i <= 100; i++) await valueOf(op(i));
    await failureOf(op(5, true));
    expect(metrics?.totalCalls).toBe(101);
    expect(metrics?.successfulCalls).toBe(100);
    expect(metrics?.failedCalls).toBe(1);
    expect(metrics?.successRate).toBeCloseTo(100 / 101);
    expect(metrics?.lastSuccess).toBeInstanceOf(Date);
    expect(metrics?.lastFailure?.getTime()).toBe(Date.now());
    const latency = metrics?.latency.summary();
    expect(latency?.max).toBe(100);
    expect(Math.abs((latency?.p95 ?? 0) - 95) / 95).toBeLessThan(0.03);
  });

  it('time every call of a quiet operation, and a random eighth of a busy one’s', async () => {
    const resilience = createResilience();
    const op = resilience.wrap(
      'busy',
      (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('ok'), ms)),
      { config: { retry: false, circuitBreaker: false } },
    );
    for (let i = 0; i < 1_000; i++) await valueOf(op(5));
    const metrics = resilience.metrics('busy');
    expect(metrics?.latency.count).toBe(1_000);
    for (let i = 0; i < 8_000; i++) await valueOf(op(i % 2 === 0 ? 5 : 50));
    expect(metrics?.totalCalls).toBe(9_000);
    expect(metrics?.successfulCalls).toBe(9_000);
    const sampled = (metrics?.latency.count ?? 0) - 1_000;
    expect(sampled).toBeGreaterThan(800);
    expect(sampled).toBeLessThan(1_200);
    // Alternating 5 ms / 50 ms calls: random sampling does not line up with the pattern.
    expect(metrics?.latency.summary().max).toBe(50);
    expect(metrics?.latency.quantile(0.99)).toBeGreaterThan(45);
    resilience.resetMetrics('busy');
    await valueOf(op(7));
    expect(metrics?.latency.count).toBe(1);
  });

  it('sample the latency of an observed operation alike, while observers get every call’s duration and counts stay exact', async () => {
    const resilience = createResilience();
    const durations: number[] = [];
    resilience.observe({ onCallEnd: (event) => durations.push(event.durationMs) });
    const op = resilience.wrap(
      'observed',
      (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('ok'), ms)),
      { config: { retry: false, circuitBreaker: false } },
    );
    for (let i = 0; i < 1_000; i++) await valueOf(op(5));
    const metrics = resilience.metrics('observed');
    expect(metrics?.latency.count).toBe(1_000);
    for (let i = 0; i < 8_000; i++) await valueOf(op(i % 2 === 0 ? 5 : 50));
    expect(metrics?.totalCalls).toBe(9_000);
    expect(metrics?.successfulCalls).toBe(9_000);
    expect(metrics?.lastSuccess?.getTime()).toBe(Date.now());
    const sampled = (metrics?.latency.count ?? 0) - 1_000;
    expect(sampled).toBeGreaterThan(800);
    expect(sampled).toBeLessThan(1_200);
    expect(durations).toHaveLength(9_000);
    expect(durations.slice(1_000).every((ms, i) => ms === (i % 2 === 0 ? 5 : 50))).toBe(true);
  });

  it('stamp each success of a burst no earlier than it answered and no later than its caller resumes', async () => {
    const clock = new ManualClock(1_000);
    let reads = 0;
    const counted = {
      now: (): number => {
        reads++;
        return clock.time;
      },
    };
    const resilience = createResilience({ clock: counted });
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const answeredAt: number[] = [];
    const op = resilience.wrap(
      'burst',
      async (i: number, gated: boolean) => {
        if (gated) await gate;
        answeredAt[i] = clock.time;
        clock.advance(1);
        return i;
      },
      { config: { retry: false, circuitBreaker: false } },
    );
    // Past the first thousand calls, which are all timed, most calls read no clock of their own.
    for (let i = 0; i < 1_000; i++) await op(i, false);
    const metrics = resilience.metrics('burst');
    reads = 0;
    const burst = Array.from({ length: 200 }, (_, i) =>
      op(i, true).then(() => {
        const stamped = metrics?.lastSuccessAt ?? Number.NaN;
        expect(stamped).toBeGreaterThanOrEqual(answeredAt[i] ?? Infinity);
        expect(stamped).toBeLessThanOrEqual(clock.time);
        clock.advance(1);
      }),
    );
    release();
    await Promise.all(burst);
    // About an eighth are timed (two readings each); the others share a few readings.
    expect(reads).toBeLessThan(150);
    expect(metrics?.successfulCalls).toBe(1_200);
    expect(metrics?.lastSuccessAt).toBeGreaterThanOrEqual(Math.max(...answeredAt));
    expect(metrics?.lastSuccess?.getTime()).toBe(metrics?.lastSuccessAt);
  });

  it('keep a burst’s successes no later than a failure that followed them', async () => {
    const clock = new ManualClock(1_000);
    const resilience = createResilience({ clock });
    const op = resilience.wrap(
      'mixed',
      async (fail: boolean) => {
        await Promise.resolve();
        clock.advance(1);
        if (fail) throw new TransientError('failed');
        return 'ok';
      },
      { config: { retry: false, circuitBreaker: false } },
    );
    for (let i = 0; i < 1_000; i++) await op(false);
    const metrics = resilience.metrics('mixed');
    const calls = Array.from({ length: 100 }, (_, i) => op(i === 99).catch(() => 'failed'));
    await Promise.all(calls);
    expect(metrics?.successfulCalls).toBe(1_099);
    expect(metrics?.failedCalls).toBe(1);
    expect(metrics?.lastSuccessAt).toBeLessThanOrEqual(metrics?.lastFailureAt ?? -Infinity);
  });

  it('serialize to plain JSON with ISO timestamps', async () => {
    const resilience = createResilience();
    const op = resilience.wrap(
      'serialization_test',
      async (fail: boolean) => {
        if (fail) throw new TransientError('failed');
        return 'ok';
      },
      { config: { retry: false } },
    );
    await valueOf(op(false));
    await failureOf(op(true));
    const data = JSON.parse(JSON.stringify(resilience.metrics('serialization_test'))) as Record<
      string,
      unknown
    >;
    expect(data).toMatchObject({
      operation: 'serialization_test',
      totalCalls: 2,
      successfulCalls: 1,
      failedCalls: 1,
      successRate: 0.5,
      lastSuccess: '2026-03-04T05:06:07.000Z',
      lastFailure: '2026-03-04T05:06:07.000Z',
    });
    expect(data['latencyMs']).toMatchObject({ count: 2, p50: 0, p95: 0, p99: 0 });
  });

  it('health is false while a breaker is open, and names it', () => {
    const resilience = createResilience();
    resilience.wrap('healthy_op', async () => 'ok');
    resilience.wrap('unhealthy_op', async () => 'ok');
    resilience.wrap('probing_op', async () => 'ok');
    resilience.wrap('no_breaker_op', async () => 'ok', { config: { circuitBreaker: false } });
    expect(resilience.healthStatus()).toEqual({
      healthy: true,
      openCircuitBreakers: [],
      halfOpenCircuitBreakers: [],
      totalCircuitBreakers: 3,
      timestamp: '2026-03-04T05:06:07.000Z',
    });
    resilience.breaker('unhealthy_op')?.isolate();
    const health = resilience.healthStatus();
    expect(health.healthy).toBe(false);
    expect(health.openCircuitBreakers).toEqual(['unhealthy_op']);
    expect(health.openCircuitBreakers).not.toContain('healthy_op');
    expect(health.totalCircuitBreakers).toBe(3);
  });

  it('allMetrics gathers operations, breakers and a summary', async () => {
    const resilience = createResilience();
    const one = resilience.wrap('test_op_1', async () => 'ok');
    const two = resilience.wrap('test_op_2', async () => 'ok');
    resilience.wrap('test_op_3', async () => 'ok', { config: { circuitBreaker: false } });
    for (let i = 0; i < 3; i++) await valueOf(one());
    await valueOf(two());
    const all = resilience.allMetrics();
    expect(Object.keys(all.operations)).toEqual(['test_op_1', 'test_op_2', 'test_op_3']);
    expect(Object.keys(all.circuitBreakers)).toEqual(['test_op_1', 'test_op_2']);
    expect(all.circuitBreakers['test_op_1']?.state).toBe('closed');
    expect(all.summary).toMatchObject({
      totalOperations: 3,
      totalCircuitBreakers: 2,
      openCircuitBreakers: 0,
      totalCalls: 4,
      successfulCalls: 4,
      successRate: 1,
    });
    expect(JSON.parse(JSON.stringify(all))).toEqual(all);
  });

  it('an operation may be named like an Object.prototype key', async () => {
    const resilience = createResilience();
    await valueOf(resilience.execute('__proto__', () => 1));
    await valueOf(resilience.execute('constructor', () => 2));
    const all = resilience.allMetrics();
    expect(Object.keys(all.operations)).toEqual(['__proto__', 'constructor']);
    expect(all.operations['__proto__']?.totalCalls).toBe(1);
    expect(all.circuitBreakers['__proto__']?.state).toBe('closed');
    expect(JSON.stringify(all.operations)).toMatch(/^\{"__proto__":\{"operation":"__proto__"/);
  });

  it('serializing an idle operation again returns the same frozen data', async () => {
    const resilience = createResilience();
    const op = resilience.wrap('idle_json', async () => 'ok');
    const first = resilience.metrics('idle_json')?.toJSON();
    expect(resilience.metrics('idle_json')?.toJSON()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    await valueOf(op());
    expect(resilience.metrics('idle_json')?.toJSON().totalCalls).toBe(1);
  });

  it('resetMetrics zeroes one operation or all of them, and keeps breakers', async () => {
    const resilience = createResilience();
    const op1 = resilience.wrap('op1', async () => 'ok');
    const op2 = resilience.wrap('op2', async () => 'ok');
    await valueOf(op1());
    await valueOf(op2());
    resilience.breaker('op1')?.isolate();
    resilience.resetMetrics('op1');
    expect(resilience.metrics('op1')?.totalCalls).toBe(0);
    expect(resilience.metrics('op2')?.totalCalls).toBe(1);
    resilience.resetMetrics();
    expect(resilience.metrics('op2')?.totalCalls).toBe(0);
    expect(resilience.metrics('op2')?.lastSuccess).toBeUndefined();
    expect(resilience.breaker('op1')?.state).toBe('isolated');
    await valueOf(op2());
    expect(resilience.metrics('op2')?.totalCalls).toBe(1);
  });

  it('one observer sees every operation’s calls, outcomes, retries and transitions', async () => {
    const resilience = createResilience();
    const ends: CallEndEvent[] = [];
    const changes: StateChangeEvent[] = [];
    const started: string[] = [];
    const retries: number[] = [];
    const unsubscribe = resilience.observe({
      onCallStart: (event) => started.push(event.operation),
      onCallEnd: (event) => ends.push(event),
      onRetry: (event) => retries.push(event.attempt),
      onStateChange: (event) => changes.push(event),
    });
    const ok = resilience.wrap('watched_ok', async () => 'ok');
    const down = resilience.wrap(
      'watched_down',
      async (): Promise<string> => {
        throw new TransientError('down');
      },
      {
        config: { circuitBreaker: { trip: { kind: 'consecutive', threshold: 3 } } },
        fallback: () => 'fallback',
      },
    );
    await valueOf(ok());
    await valueOf(down());
    await valueOf(down());
    expect(started).toEqual(['watched_ok', 'watched_down', 'watched_down']);
    expect(ends.map((e) => [e.operation, e.outcome, e.rejected])).toEqual([
      ['watched_ok', 'success', false],
      ['watched_down', 'fallback', false],
      ['watched_down', 'fallback', true],
    ]);
    expect(retries).toEqual([1, 2]);
    expect(changes.map((c) => [c.operation, c.from, c.to])).toEqual([
      ['watched_down', 'closed', 'open'],
    ]);
    unsubscribe();
    await valueOf(ok());
    expect(ends).toHaveLength(3);
  });

  it('a throwing observer never breaks a call', async () => {
    const resilience = createResilience();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    resilience.observe({
      onCallEnd: () => {
        throw new Error('observer bug');
      },
    });
    expect(await valueOf(resilience.wrap('robust', async () => 'ok')())).toBe('ok');
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });
});
