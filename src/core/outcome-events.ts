import type { BreakwaterError } from './errors/base.js';

/**
 * The payloads of the event names several policies share: each name has this one shape
 * whichever policy emits it, so one listener (a logger, a metrics bridge) serves them all.
 */

/** `onSuccess`: the call (or the recovery) succeeded. */
export interface SuccessEvent {
  /** Attempts it took: 1 on a policy that makes one (a breaker). */
  readonly attempts: number;
  /** From the call's start (a recovery's `start()`/`resume()`) to its success. */
  readonly durationMs: number;
}

/** `onFailure`: the call failed. */
export interface FailureEvent {
  /** Attempts it took: 1 on a policy that makes one (a breaker). */
  readonly attempts: number;
  /** What the caller gets. */
  readonly error: unknown;
  /** From the call's start to its failure. */
  readonly durationMs: number;
}

/** `onFallback`: something other than the call answered (a fallback, a cached answer, a chain's entry). */
export interface FallbackEvent {
  /** Who answered: the fallback's name, `'cache'`, or the chain entry's name. */
  readonly source: string;
  /** The failure the answer stands in for (in a chain, the last one before it). */
  readonly error: unknown;
  /** Every failure before the answer, oldest first (one, outside a chain). */
  readonly errors: readonly unknown[];
  /** How old the answer is, when it is a cached one; `undefined` otherwise. */
  readonly ageMs: number | undefined;
}

/** `onRejected`: a call refused without running. */
export interface RejectedEvent<E extends BreakwaterError = BreakwaterError> {
  /** The error the caller gets (its own instance). */
  readonly error: E;
  /** When a call could next be let through; `undefined` when the policy cannot tell (a bulkhead). */
  readonly retryAfterMs: number | undefined;
}
