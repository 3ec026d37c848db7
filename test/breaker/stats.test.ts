import { describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  consecutive,
  createResilience,
  failureRate,
} from '../../src/core/index.js';
import { ManualClock } from '../support/clock.js';
import { boom, ok, outcome } from './helpers.js';

describe('breaker.stats()', () => {
  it('reports the failure-rate window, rejections, the open time and the opens', async () => {
    const clock = new ManualClock(1_000);
    const breaker = circuitBreaker({
      name: 'pay',
      clock,
      openMs: 5_000,
      trip: failureRate({ threshold: 0.5, minimumCalls: 4, window: { kind: 'count', size: 10 } }),
    });
    await outcome(breaker, ok);
    await outcome(breaker, boom);
    clock.advance(10);
    await outcome(breaker, boom);
    expect(breaker.stats()).toMatchObject({
      name: 'pay',
      state: 'closed',
      enabled: true,
      failureRate: 2 / 3,
      threshold: 0.5,
      trip: 'failure-rate',
      bufferedCalls: 3,
      failedCalls: 2,
      consecutiveFailures: 2,
      lastFailureAt: 1_010,
      openedAt: null,
      retryAfterMs: null,
      opens: 0,
      rejectedCalls: 0,
    });
    await outcome(breaker, boom);
    await outcome(breaker, ok);
    clock.advance(1_000);
    expect(breaker.stats()).toMatchObject({
      state: 'open',
      bufferedCalls: 0,
      openedAt: 1_010,
      retryAfterMs: 4_000,
      opens: 1,
      rejectedCalls: 1,
    });
  });

  it('counts failures in a row for a consecutive trip, which buffers no calls', async () => {
    const breaker = circuitBreaker({ trip: consecutive(3) });
    await outcome(breaker, boom);
    await outcome(breaker, boom);
    expect(breaker.stats()).toMatchObject({
      threshold: 3,
      trip: 'consecutive',
      consecutiveFailures: 2,
      bufferedCalls: 0,
      failureRate: 0,
    });
    await outcome(breaker, ok);
    expect(breaker.stats().consecutiveFailures).toBe(0);
  });

  it('expires a time window on read', async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({
      clock,
      trip: failureRate({ minimumCalls: 5, window: { kind: 'time', ms: 1_000 } }),
    });
    await outcome(breaker, boom);
    expect(breaker.stats().bufferedCalls).toBe(1);
    clock.advance(2_000);
    expect(breaker.stats()).toMatchObject({ bufferedCalls: 0, failedCalls: 0, failureRate: 0 });
  });

  it('reads half-open once the open time is over, before any call arrives', async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({ clock, openMs: 1_000, trip: consecutive(1) });
    await outcome(breaker, boom);
    expect(breaker.state).toBe('open');
    clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
    expect(breaker.stats()).toMatchObject({ state: 'half-open', retryAfterMs: 0 });
    expect(await outcome(breaker, ok)).toEqual({ value: 'ok' });
    expect(breaker.state).toBe('closed');
  });

  it('shows the kill switch as enabled: false', () => {
    const breaker = circuitBreaker();
    breaker.disable();
    expect(breaker.stats()).toMatchObject({ state: 'disabled', enabled: false });
  });
});

describe('resilience.command()', () => {
  it('runs the command and records it with its actor in the audit trail', () => {
    const resilience = createResilience({ clock: new ManualClock(0) });
    resilience.wrap('pay', ok);
    const entry = resilience.command('pay', 'isolate', { source: 'http', actor: 'ops@1.2.3.4' });
    expect(resilience.breaker('pay')?.state).toBe('isolated');
    expect(entry).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      source: 'http',
      actor: 'ops@1.2.3.4',
      command: 'isolate',
      changes: [{ path: 'circuits.pay.state', before: 'closed', after: 'isolated' }],
    });
    expect(resilience.auditTrail()).toEqual([entry]);
  });

  it('does nothing for an operation without a breaker', () => {
    const resilience = createResilience();
    expect(resilience.command('nothing', 'reset')).toBeUndefined();
    expect(resilience.auditTrail()).toEqual([]);
  });
});
