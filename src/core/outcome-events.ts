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

/** `onRejected`: a call refused without running. */
export interface RejectedEvent<E extends BreakwaterError = BreakwaterError> {
  /** The error the caller gets (its own instance). */
  readonly error: E;
  /** When a call could next be let through; `undefined` when the policy cannot tell (a bulkhead). */
  readonly retryAfterMs: number | undefined;
}
