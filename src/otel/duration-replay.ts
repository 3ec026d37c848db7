import type { Attributes, Histogram } from '@opentelemetry/api';
import type { DurationBuckets } from '../core/metrics/duration-buckets.js';

/** What a series had when it was last replayed. */
interface Replayed {
  readonly counts: Float64Array;
  readonly sums: Float64Array;
}

/**
 * Moves the durations the call tally counted into an OpenTelemetry histogram when the meter
 * collects. Recording every call into the SDK costs several times a resilient call, so calls
 * are counted per bucket on the hot path, and here each bucket's new calls are recorded at
 * their mean value: the mean of values inside a bucket lies inside it, so bucket counts,
 * sum and count come out exact (min and max become those of the bucket means).
 */
export class DurationReplay {
  private readonly replayed = new Map<DurationBuckets, Replayed>();

  constructor(private readonly histogram: Histogram) {}

  replay(buckets: DurationBuckets, attributes: Attributes): void {
    let last = this.replayed.get(buckets);
    if (last === undefined) {
      const size = buckets.counts.length;
      last = { counts: new Float64Array(size), sums: new Float64Array(size) };
      this.replayed.set(buckets, last);
    }
    const { bounds, counts, sums } = buckets;
    for (let i = 0; i < counts.length; i++) {
      const calls = (counts[i] ?? 0) - (last.counts[i] ?? 0);
      if (calls === 0) continue;
      const total = (sums[i] ?? 0) - (last.sums[i] ?? 0);
      last.counts[i] = counts[i] ?? 0;
      last.sums[i] = sums[i] ?? 0;
      // Rounding must not carry the mean across the bucket's upper bound.
      const upper = bounds[i] ?? Infinity;
      const mean = Math.min(total / calls, upper);
      for (let n = 0; n < calls; n++) this.histogram.record(mean, attributes);
    }
  }
}
