import { rateVerdict, type RateLimits } from './rate-verdict.js';
import type { TripVerdict, TripWindow, WindowCounts } from './trip.js';

const FAILED = 1;
const SLOW = 2;

/** The last `size` calls, in a ring of one byte per call (a failure bit and a slow bit). */
export class CountWindow implements TripWindow {
  private readonly ring: Uint8Array;
  private next = 0;
  private total = 0;
  private failures = 0;
  private slow = 0;

  constructor(
    size: number,
    private readonly limits: RateLimits,
  ) {
    this.ring = new Uint8Array(size);
  }

  record(failure: boolean, slow: boolean): TripVerdict {
    const ring = this.ring;
    if (this.total === ring.length) {
      const evicted = ring[this.next] ?? 0;
      if (evicted & FAILED) this.failures--;
      if (evicted & SLOW) this.slow--;
    } else {
      this.total++;
    }
    ring[this.next] = (failure ? FAILED : 0) | (slow ? SLOW : 0);
    if (failure) this.failures++;
    if (slow) this.slow++;
    this.next = this.next + 1 === ring.length ? 0 : this.next + 1;
    return rateVerdict(this.limits, this.total, this.failures, this.slow);
  }

  held(): WindowCounts {
    return { calls: this.total, failures: this.failures };
  }

  clear(): void {
    this.ring.fill(0);
    this.next = this.total = this.failures = this.slow = 0;
  }
}
