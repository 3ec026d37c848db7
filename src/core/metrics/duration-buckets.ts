/**
 * A histogram's raw counts for one series: per bucket (not cumulative), with the sum of the
 * values in each bucket, so that an exporter can replay the buckets exactly.
 */
export class DurationBuckets {
  /** One slot per bound, and a last one for values above every bound. */
  readonly counts: Float64Array;
  readonly sums: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
    this.sums = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sums[i] = (this.sums[i] ?? 0) + value;
    this.sum += value;
    this.count++;
  }
}
