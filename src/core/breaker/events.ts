import type { CircuitOpenError } from '../errors/classes.js';
import type { FailureEvent, RejectedEvent, SuccessEvent } from '../outcome-events.js';
import type { CircuitState } from './state.js';
import type { TransitionReason } from './store.js';

export interface StateChangeEvent {
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly reason: TransitionReason;
  /** True when the change was decided elsewhere and adopted from the store. */
  readonly remote: boolean;
}

/** An error that `isFailure` excluded: counted neither as a failure nor as a success. */
export interface IgnoredErrorEvent {
  readonly error: unknown;
}

export interface CircuitBreakerEvents {
  stateChange: StateChangeEvent;
  /** A counted call succeeded; compare `durationMs` with `slowCall.ms` to tell a slow one. */
  success: SuccessEvent;
  /** A counted call failed. */
  failure: FailureEvent;
  ignoredError: IgnoredErrorEvent;
  /** A call rejected without running, with the error the caller gets. */
  rejected: RejectedEvent<CircuitOpenError>;
}
