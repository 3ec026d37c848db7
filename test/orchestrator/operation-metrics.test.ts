import { describe, expect, it } from 'vitest';
import { OperationMetrics } from '../../src/core/metrics/operation-metrics.js';

/** Metrics on a clock the test sets, counting its readings. */
function metricsOn(): { metrics: OperationMetrics; clock: { time: number; reads: number } } {
  const clock = { time: 100, reads: 0 };
  const metrics = new OperationMetrics(
    'op',
    (reading) => reading,
    () => {
      clock.reads++;
      return clock.time;
    },
  );
  return { metrics, clock };
}

describe('OperationMetrics: the time of untimed successes', () => {
  it('reads the clock at once for a success alone in flight', () => {
    const { metrics, clock } = metricsOn();
    metrics.totalCalls = 1;
    metrics.recordUntimedSuccess();
    clock.time = 200;
    expect(metrics.lastSuccessAt).toBe(100);
    expect(clock.reads).toBe(1);
  });

  it('reads it once for a burst, before the microtasks that follow, and at once for a reader who comes first', async () => {
    const { metrics, clock } = metricsOn();
    metrics.totalCalls = 4;
    for (let i = 0; i < 3; i++) metrics.recordUntimedSuccess();
    expect(clock.reads).toBe(0);
    clock.time = 150;
    expect(metrics.lastSuccessAt).toBe(150);
    clock.time = 300;
    await Promise.resolve();
    expect(metrics.lastSuccessAt).toBe(150);
    expect(clock.reads).toBe(1);
    metrics.recordUntimedSuccess();
    expect(metrics.inFlight).toBe(0);
    expect(metrics.lastSuccessAt).toBe(300);
    expect(metrics.toJSON().lastSuccess).toBe(new Date(300).toISOString());
  });

  it('stamps a burst’s success in its microtask when nobody reads it', async () => {
    const { metrics, clock } = metricsOn();
    metrics.totalCalls = 2;
    metrics.recordUntimedSuccess();
    clock.time = 120;
    await Promise.resolve();
    clock.time = 500;
    expect(metrics.lastSuccessAt).toBe(120);
  });

  it('stamps a pending success before a failure, so it is never the later of the two', () => {
    const { metrics, clock } = metricsOn();
    metrics.totalCalls = 3;
    metrics.recordUntimedSuccess();
    clock.time = 130;
    metrics.recordFailure(Number.NaN, 140);
    expect(metrics.lastSuccessAt).toBe(130);
    expect(metrics.lastFailureAt).toBe(140);
  });

  it('forgets a pending success on reset', () => {
    const { metrics } = metricsOn();
    metrics.totalCalls = 2;
    metrics.recordUntimedSuccess();
    metrics.reset();
    expect(metrics.lastSuccessAt).toBeUndefined();
    expect(metrics.toJSON().lastSuccess).toBeNull();
  });
});
