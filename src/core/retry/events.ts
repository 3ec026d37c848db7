import type { FailureEvent, SuccessEvent } from '../outcome-events.js';

/** An attempt failed and another follows after `delayMs`. */
export interface RetryEvent {
  /** The attempt that failed (1 for the first call). */
  readonly attempt: number;
  readonly delayMs: number;
  /** What it threw; `undefined` when `retryOnResult` rejected its result. */
  readonly error: unknown;
  /** The result `retryOnResult` rejected, when that is why it is retried. */
  readonly result: unknown;
}

/** Why retrying stopped although the failure was retryable. */
export type GiveUpReason = 'maxAttempts' | 'maxElapsed' | 'budget';

/** A retryable failure that will not be retried. */
export interface GiveUpEvent {
  readonly attempts: number;
  readonly reason: GiveUpReason;
  readonly error: unknown;
  readonly result: unknown;
}

export interface RetryEvents {
  retry: RetryEvent;
  giveUp: GiveUpEvent;
  /** The call resolved. */
  success: SuccessEvent;
  /** The call rejected (a permanent error, retries exhausted, or the caller's abort). */
  failure: FailureEvent;
}
