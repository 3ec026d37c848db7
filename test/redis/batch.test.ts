import { describe, expect, it } from 'vitest';
import { consecutive, failureRate } from '../../src/core/index.js';
import { createBatch, scriptTrip } from '../../src/redis/batch.js';

describe('outcome batches (what a replica sends at each flush)', () => {
  it('consecutive: failures since the last success, and whether a success reset the count', () => {
    const batch = createBatch(scriptTrip(consecutive(3).description));
    expect(batch.pending).toBe(false);
    batch.record(true, false, 0);
    batch.record(true, false, 0);
    expect(batch.take(0)).toEqual({ reset: false, failures: 2 });
    batch.record(true, false, 0);
    batch.record(false, false, 0);
    batch.record(true, false, 0);
    expect(batch.pending).toBe(true);
    expect(batch.take(0)).toEqual({ reset: true, failures: 1 });
    expect(batch.pending).toBe(false);
  });

  it('count window: the newest `size` outcomes in order, slow ones in lowercase, bounded', () => {
    const trip = failureRate({
      threshold: 0.5,
      minimumCalls: 1,
      window: { kind: 'count', size: 4 },
    });
    const batch = createBatch(scriptTrip(trip.description));
    batch.record(false, false, 0);
    batch.record(true, true, 0);
    expect(batch.take(0)).toEqual({ tail: 'Sf' });
    for (let i = 0; i < 100_000; i++) batch.record(i % 2 === 0, false, 0);
    batch.record(false, true, 0);
    expect(batch.take(0)).toEqual({ tail: 'SFSs' });
  });

  it('time window: per-bucket counts, and buckets older than the window are dropped', () => {
    const trip = failureRate({
      threshold: 0.5,
      minimumCalls: 1,
      window: { kind: 'time', ms: 1_000 },
    });
    const scripted = scriptTrip(trip.description);
    expect(scripted).toMatchObject({ kind: 'time', ms: 1_000, bucketMs: 50 });
    const batch = createBatch(scripted);
    batch.record(true, false, 10_000);
    batch.record(false, true, 10_020);
    batch.record(true, true, 10_070);
    expect(batch.take(10_070)).toEqual({ buckets: { 10000: [2, 1, 1], 10050: [1, 1, 1] } });
    // A long outage: outcomes keep coming, the batch keeps only the last window.
    for (let now = 20_000; now < 80_000; now += 10) batch.record(true, false, now);
    const { buckets } = batch.take(80_000) as { buckets: Record<string, number[]> };
    expect(Object.keys(buckets).length).toBeLessThanOrEqual(21);
    expect(Math.min(...Object.keys(buckets).map(Number))).toBeGreaterThan(80_000 - 1_000 - 50);
  });

  it('describes the trip strategies to the merge script', () => {
    expect(scriptTrip(consecutive(4).description)).toEqual({ kind: 'consecutive', threshold: 4 });
    const slow = failureRate({
      threshold: 0.3,
      minimumCalls: 10,
      window: { kind: 'count', size: 50 },
      slowCall: { ms: 200, rateThreshold: 0.8 },
    });
    expect(scriptTrip(slow.description)).toEqual({
      kind: 'count',
      size: 50,
      threshold: 0.3,
      minimumCalls: 10,
      slowRate: 0.8,
    });
  });
});
