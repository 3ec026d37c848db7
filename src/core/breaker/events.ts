import type { CircuitOpenError } from '../errors/classes.js';
import type { CircuitState } from './state.js';
import type { TransitionReason } from './store.js';

export interface StateChangeEvent {
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly reason: TransitionReason;
  /** True when the change was decided elsewhere and adopted from the store. */
  readonly remote: boolean;
}

export interface CallSuccessEvent {
  readonly durationMs: number;
  /** Slower than the trip strategy's `slowCall.ms`. */
  readonly slow: boolean;
}

export interface CallFailureEvent {
  readonly error: unknown;
  readonly durationMs: number;
  readonly slow: boolean;
}

/** An error that `isFailure` excluded: counted neither as a failure nor as a success. */
export interface IgnoredErrorEvent {
  readonly error: unknown;
}

export interface CircuitBreakerEvents {
  stateChange: StateChangeEvent;
  success: CallSuccessEvent;
  failure: CallFailureEvent;
  ignoredError: IgnoredErrorEvent;
  /** A call rejected without running; the listener gets the error the caller gets. */
  rejected: CircuitOpenError;
}
