import type { Backoff, BackoffFunction } from '../backoff/backoff.js';
import { customBackoff, exponential } from '../backoff/strategies.js';
import { isTransient } from '../classification/classify.js';
import type { Clock } from '../clock.js';
import { errorPredicate, type ErrorFilter } from '../error-filter.js';
import { isLocalRejection } from '../errors/classes.js';
import { fail } from '../option-checks.js';
import type { RetryBudget } from './budget.js';

/** What `retryOn` learns besides the error. */
export interface RetryDecision {
  /** The attempt that failed (1 for the first call). */
  readonly attempt: number;
  /** The caller's signal, so a classifier can tell the caller's abort from a failure. */
  readonly signal: AbortSignal;
}

/**
 * Decides whether a failed attempt is retried. A classifier's `isTransient` fits as is:
 * `retry({ retryOn: createClassifier({ … }).isTransient })`.
 */
export type RetryPredicate = (error: unknown, decision: RetryDecision) => boolean;

export interface RetryOptions {
  /** Attempts in total, the first call included: an integer ≥ 1, or Infinity. Default 3. */
  readonly maxAttempts?: number;
  /** Default `exponential()`: 1 s ×2, capped at 30 s, ±10 %. A function `(attempt, error) => ms` also works. */
  readonly backoff?: Backoff | BackoffFunction;
  /**
   * Which errors are retried: a predicate, an error class or a list of them (`instanceof`). Default: transient
   * errors (`isTransient`), except rejections by a circuit breaker or a bulkhead.
   */
  readonly retryOn?: ErrorFilter<RetryPredicate>;
  /** Retries a call whose result this returns `true` for; the last result is returned when retries run out. */
  readonly retryOnResult?: (result: unknown) => boolean;
  /** No attempt starts later than this after the first one; unbounded by default. */
  readonly maxElapsedMs?: number;
  /** Waits what the error asks (`retryAfterMs`, `Retry-After`), capped by the backoff's `maxMs`. Default true. */
  readonly respectRetryAfter?: boolean;
  /** When retries run out, throw `RetryExhaustedError` (with every error) instead of the last error. Default false. */
  readonly wrapExhausted?: boolean;
  /** A retry budget, possibly shared with other policies. */
  readonly budget?: RetryBudget;
  readonly clock?: Clock;
}

/**
 * The default `retryOn`: transient errors, but not a local rejection — an open circuit, a
 * full bulkhead or the local rate limiter (SPEC §7) — the same rule as the orchestrator's.
 */
export const retryTransient: RetryPredicate = (error) =>
  isTransient(error) && !isLocalRejection(error);

export function toRetryPredicate(retryOn: RetryOptions['retryOn']): RetryPredicate {
  return errorPredicate('retry', 'retryOn', retryOn) ?? retryTransient;
}

export function toBackoff(backoff: RetryOptions['backoff']): Backoff {
  if (backoff === undefined) return exponential();
  if (typeof backoff === 'function') return customBackoff(backoff);
  if (typeof (backoff as Partial<Backoff> | null)?.delayMs !== 'function') {
    const expected =
      'a Backoff (exponential(), constant(), linear(), customBackoff()) or a function (attempt, error) => ms';
    fail('retry', 'backoff', expected, backoff);
  }
  return backoff;
}
