import { checkNonNegative, checkNumber, checkOptions, checkClock } from '../option-checks.js';
import { systemClock, type Clock } from '../clock.js';

export interface RetryBudgetOptions {
  /** Retries allowed per call made, over the window. Default 0.2 (Envoy's 20 %). */
  readonly ratio?: number;
  /** Retries always allowed per second, so a quiet service can still retry. Default 3. */
  readonly minRetriesPerSecond?: number;
  /** How far back calls and retries count. Default 10_000. */
  readonly windowMs?: number;
  readonly clock?: Clock;
}

/**
 * A shared allowance of retries: over the last `windowMs`, retries ≤ `ratio` × calls +
 * `minRetriesPerSecond` × the window's seconds. Share one budget between the policies that
 * call the same dependency so that, when it fails, retries add at most `ratio` to the load
 * instead of multiplying it by `maxAttempts`.
 */
export interface RetryBudget {
  /** Counts one call (retry does this at each call's first attempt). */
  recordCall(): void;
  /** Takes one retry if the budget allows it now; `false` means "do not retry". */
  tryRetry(): boolean;
  /** How many retries the budget would allow right now. */
  available(): number;
}

/**
 * The window slides by tenths: counts live in ten buckets of `windowMs / 10`, reset lazily
 * when time reaches them again, so recording a call is O(1) and allocates nothing.
 */
const BUCKETS = 10;

class SlidingRetryBudget implements RetryBudget {
  private readonly epochs = new Float64Array(BUCKETS).fill(Number.NEGATIVE_INFINITY);
  private readonly calls = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private readonly bucketMs: number;
  private readonly floor: number;

  constructor(
    private readonly ratio: number,
    minRetriesPerSecond: number,
    windowMs: number,
    private readonly clock: Clock,
  ) {
    this.bucketMs = windowMs / BUCKETS;
    this.floor = (minRetriesPerSecond * windowMs) / 1000;
  }

  recordCall(): void {
    const slot = this.currentSlot(this.epochOf(this.clock.now()));
    this.calls[slot] = (this.calls[slot] ?? 0) + 1;
  }

  tryRetry(): boolean {
    const epoch = this.epochOf(this.clock.now());
    if (this.allowance(epoch) < 1) return false;
    const slot = this.currentSlot(epoch);
    this.retries[slot] = (this.retries[slot] ?? 0) + 1;
    return true;
  }

  available(): number {
    return Math.max(0, Math.floor(this.allowance(this.epochOf(this.clock.now()))));
  }

  private epochOf(now: number): number {
    return Math.floor(now / this.bucketMs);
  }

  /** The slot of `epoch`, emptied first if it still holds an older epoch. */
  private currentSlot(epoch: number): number {
    const slot = ((epoch % BUCKETS) + BUCKETS) % BUCKETS;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.calls[slot] = 0;
      this.retries[slot] = 0;
    }
    return slot;
  }

  /** Retries still allowed in the window that ends with `epoch`'s bucket. */
  private allowance(epoch: number): number {
    let calls = 0;
    let retries = 0;
    for (let slot = 0; slot < BUCKETS; slot++) {
      const at = this.epochs[slot] ?? Number.NEGATIVE_INFINITY;
      if (at > epoch - BUCKETS && at <= epoch) {
        calls += this.calls[slot] ?? 0;
        retries += this.retries[slot] ?? 0;
      }
    }
    return this.ratio * calls + this.floor - retries;
  }
}

/** A retry budget to pass to `retry({ budget })`, alone or shared by several policies. */
export function retryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const owner = 'retryBudget';
  checkOptions(owner, options);
  const ratio = checkNonNegative(owner, 'ratio', options.ratio ?? 0.2);
  const minPerSecond = checkNonNegative(
    owner,
    'minRetriesPerSecond',
    options.minRetriesPerSecond ?? 3,
  );
  const windowMs = checkNumber(owner, 'windowMs', options.windowMs ?? 10_000, { min: 1 });
  return new SlidingRetryBudget(
    ratio,
    minPerSecond,
    windowMs,
    checkClock(owner, options.clock) ?? systemClock,
  );
}
