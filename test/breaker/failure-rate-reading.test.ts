import { describe, expect, it } from 'vitest';
import { circuitBreaker, consecutive, failureRate } from '../../src/core/index.js';
import { ManualClock } from '../support/clock.js';
import { badRequest, boom, ok, outcome } from './helpers.js';

/** `breaker.failureRate`: the share of failures the trip window holds now (what exporters report). */
describe('breaker.failureRate', () => {
  it('is the share of counted failures in a count window; excluded errors do not count', async () => {
    const breaker = circuitBreaker({
      trip: failureRate({ threshold: 0.9, minimumCalls: 4, window: { kind: 'count', size: 4 } }),
    });
    expect(breaker.failureRate).toBe(0);
    await outcome(breaker, boom);
    await outcome(breaker, ok);
    await outcome(breaker, badRequest);
    expect(breaker.failureRate).toBe(0.5);
    for (let i = 0; i < 3; i++) await outcome(breaker, ok);
    // The window holds the last 4 calls: ok, ok, ok, ok.
    expect(breaker.failureRate).toBe(0);
  });

  it('in a time window, forgets calls once they leave the window, without a new call', async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({
      clock,
      trip: failureRate({ threshold: 0.9, minimumCalls: 10, window: { kind: 'time', ms: 1_000 } }),
    });
    await outcome(breaker, boom);
    clock.advance(500);
    await outcome(breaker, ok);
    expect(breaker.failureRate).toBe(0.5);
    clock.advance(600);
    expect(breaker.failureRate).toBe(0);
    clock.advance(1_000);
    expect(breaker.failureRate).toBe(0);
  });

  it('with a consecutive trip, reads 1 during a run of failures and 0 after a success', async () => {
    const breaker = circuitBreaker({ trip: consecutive(3) });
    await outcome(breaker, boom);
    expect(breaker.failureRate).toBe(1);
    await outcome(breaker, ok);
    expect(breaker.failureRate).toBe(0);
  });

  it('starts from 0 after the breaker opens (the window is cleared)', async () => {
    const breaker = circuitBreaker({ trip: consecutive(2) });
    await outcome(breaker, boom);
    await outcome(breaker, boom);
    expect(breaker.state).toBe('open');
    expect(breaker.failureRate).toBe(0);
  });
});
