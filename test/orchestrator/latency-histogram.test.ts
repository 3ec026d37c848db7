import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/core/metrics/iso-time.js';
import { LatencyHistogram } from '../../src/core/metrics/latency-histogram.js';

function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] ?? 0;
}

describe('LatencyHistogram', () => {
  it('reports zeros when empty', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.summary()).toEqual({
      count: 0,
      min: 0,
      max: 0,
      mean: 0,
      p50: 0,
      p95: 0,
      p99: 0,
    });
  });

  it('gives p50/p95/p99 of 1..1000 ms within 2 %', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    const { p50, p95, p99, min, max, mean, count } = histogram.summary();
    expect(count).toBe(1000);
    expect(min).toBe(1);
    expect(max).toBe(1000);
    expect(mean).toBeCloseTo(500.5);
    expect(Math.abs(p50 - 500) / 500).toBeLessThan(0.02);
    expect(Math.abs(p95 - 950) / 950).toBeLessThan(0.02);
    expect(Math.abs(p99 - 990) / 990).toBeLessThan(0.02);
  });

  it('any percentile is within 2 % of the exact one (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99),
        (samples, q) => {
          const histogram = new LatencyHistogram();
          for (const sample of samples) histogram.record(sample);
          const exact = exactQuantile(
            [...samples].sort((a, b) => a - b),
            q,
          );
          expect(Math.abs(histogram.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.021);
        },
      ),
    );
  });

  it('keeps memory bounded: a million calls over a wide range allocate at most ~700 buckets', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 1_000_000; i++) histogram.record((i % 10_000) * 0.37 + 0.002);
    histogram.record(1e12);
    const buckets = (histogram as unknown as { counts: Uint32Array }).counts;
    expect(buckets.length).toBeLessThanOrEqual(710);
    expect(histogram.count).toBe(1_000_001);
    expect(histogram.summary().max).toBe(1e12);
  });

  it('counts sub-microsecond latencies (a fake clock) as zero and ignores invalid ones', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0);
    histogram.record(0);
    histogram.record(Number.NaN);
    histogram.record(-1);
    histogram.record(10);
    expect(histogram.count).toBe(3);
    expect(histogram.quantile(0.5)).toBe(0);
    expect(Math.abs(histogram.quantile(0.99) - 10)).toBeLessThan(0.2);
  });

  it('reset forgets everything', () => {
    const histogram = new LatencyHistogram();
    histogram.record(5);
    histogram.reset();
    expect(histogram.count).toBe(0);
    expect(histogram.quantile(0.5)).toBe(0);
  });
});

describe('isoTime', () => {
  it('formats like Date#toISOString, within a second and across seconds', () => {
    const base = Date.UTC(2026, 10, 25, 10, 0, 59, 998);
    for (const ms of [base, base + 1, base + 2, base + 1_000, 0, base + 0.5, -1_500]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
