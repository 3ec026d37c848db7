import type { Clock } from '../clock.js';

interface Bucket {
  tokens: number;
  refilledAt: number;
  suppressed: number;
}

/**
 * Keeps an outage from flooding the log: each key (an operation and an event) may write
 * `burst` records at once and one more every `intervalMs`; what goes past is counted, and the
 * next record let through for that key says how many were suppressed in between.
 */
export class RecordLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly burst = 5,
    private readonly intervalMs = 1_000,
  ) {}

  /**
   * Whether a record for `key` may be written now: `false` when it is suppressed, otherwise
   * how many records of the key were suppressed since the last one written (often 0).
   */
  admit(key: string): number | false {
    const now = this.clock.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, refilledAt: now, suppressed: 0 };
      this.buckets.set(key, bucket);
    }
    const refill = (now - bucket.refilledAt) / this.intervalMs;
    if (refill > 0) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + refill);
      bucket.refilledAt = now;
    }
    if (bucket.tokens < 1) {
      bucket.suppressed++;
      return false;
    }
    bucket.tokens--;
    const suppressed = bucket.suppressed;
    bucket.suppressed = 0;
    return suppressed;
  }

  /** Forgets the keys of an operation that is gone. */
  forget(prefix: string): void {
    for (const key of this.buckets.keys()) if (key.startsWith(prefix)) this.buckets.delete(key);
  }
}
