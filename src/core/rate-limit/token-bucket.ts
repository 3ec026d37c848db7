/**
 * A token bucket kept in "token-milliseconds" (one token = `intervalMs` units, refilled at
 * `rate` units per millisecond) so that with integer rates, intervals and clock readings the
 * arithmetic is exact: no drift from adding `rate / intervalMs` fractions call after call.
 */
export class TokenBucket {
  private readonly capacity: number;
  private level: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly intervalMs: number,
    burst: number,
    now: number,
  ) {
    this.capacity = burst * intervalMs;
    this.level = this.capacity;
    this.last = now;
  }

  /** Tokens available at `now` (fractional). */
  tokensAt(now: number): number {
    return this.levelAt(now) / this.intervalMs;
  }

  /** Takes one token and returns 0, or returns the milliseconds until a whole token exists. */
  take(now: number): number {
    this.level = this.levelAt(now);
    // A clock that stepped back counts from its new reading: waiting for it to catch up would
    // stop the refill for as long as the step.
    this.last = now;
    if (this.level >= this.intervalMs) {
      this.level -= this.intervalMs;
      return 0;
    }
    return Math.ceil((this.intervalMs - this.level) / this.rate);
  }

  private levelAt(now: number): number {
    const elapsed = now - this.last;
    if (elapsed <= 0) return this.level;
    return Math.min(this.capacity, this.level + elapsed * this.rate);
  }
}
