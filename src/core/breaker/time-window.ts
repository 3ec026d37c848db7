import { rateVerdict, type RateLimits } from './rate-verdict.js';
import type { TripVerdict, TripWindow, WindowCounts } from './trip.js';

/** How many buckets a time window is cut into: its resolution is `ms / BUCKETS`. */
const BUCKETS = 20;

/**
 * The calls of the last `ms` milliseconds, counted in buckets of `bucketMs` so that memory
 * stays constant under any load. A call made in bucket `b` (`floor(time / bucketMs)`)
 * counts while the newest bucket is less than `buckets` ahead of it; expired buckets are
 * emptied lazily when time moves on.
 */
export class TimeWindow implements TripWindow {
  private readonly bucketMs: number;
  /** Per bucket: calls, failures and slow calls, interleaved. */
  private readonly counts: Int32Array;
  private readonly buckets: number;
  private newest = -Infinity;
  private total = 0;
  private failures = 0;
  private slow = 0;

  constructor(
    ms: number,
    private readonly limits: RateLimits,
  ) {
    this.bucketMs = bucketMsFor(ms);
    this.buckets = Math.ceil(ms / this.bucketMs);
    this.counts = new Int32Array(this.buckets * 3);
  }

  record(failure: boolean, slow: boolean, now: number): TripVerdict {
    const bucket = Math.floor(now / this.bucketMs);
    // A clock that steps back files the call in the newest bucket rather than a stale one.
    if (bucket > this.newest) this.advanceTo(bucket);
    const at = this.slotOf(this.newest) * 3;
    const counts = this.counts;
    counts[at] = (counts[at] ?? 0) + 1;
    this.total++;
    if (failure) {
      counts[at + 1] = (counts[at + 1] ?? 0) + 1;
      this.failures++;
    }
    if (slow) {
      counts[at + 2] = (counts[at + 2] ?? 0) + 1;
      this.slow++;
    }
    return rateVerdict(this.limits, this.total, this.failures, this.slow);
  }

  held(now: number): WindowCounts {
    // Expiring buckets is what `record` would do at this time anyway.
    const bucket = Math.floor(now / this.bucketMs);
    if (bucket > this.newest) this.advanceTo(bucket);
    return { calls: this.total, failures: this.failures };
  }

  clear(): void {
    this.counts.fill(0);
    this.newest = -Infinity;
    this.total = this.failures = this.slow = 0;
  }

  private advanceTo(bucket: number): void {
    if (bucket - this.newest >= this.buckets) {
      this.clear();
    } else {
      for (let b = this.newest + 1; b <= bucket; b++) this.empty(this.slotOf(b));
    }
    this.newest = bucket;
  }

  private empty(slot: number): void {
    const counts = this.counts;
    const at = slot * 3;
    this.total -= counts[at] ?? 0;
    this.failures -= counts[at + 1] ?? 0;
    this.slow -= counts[at + 2] ?? 0;
    counts[at] = counts[at + 1] = counts[at + 2] = 0;
  }

  private slotOf(bucket: number): number {
    const slot = bucket % this.buckets;
    return slot < 0 ? slot + this.buckets : slot;
  }
}

/** The bucket width of a time window of `ms` milliseconds (at least 1 ms). */
function bucketMsFor(ms: number): number {
  return Math.max(1, Math.ceil(ms / BUCKETS));
}
