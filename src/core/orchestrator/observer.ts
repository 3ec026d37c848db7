import type { CircuitState } from '../breaker/state.js';
import type { AuditEntry } from './audit.js';

/** A call entered an operation. */
export interface CallStartEvent {
  readonly operation: string;
  readonly at: number;
}

/** Why a call was refused without running. */
export type RejectionReason = 'circuit_open' | 'bulkhead_full' | 'rate_limited';

/**
 * A call finished: `success` when the operation itself answered, `fallback` when the
 * fallback did, `failure` when the caller got an error. `rejected` marks calls refused
 * without running (open circuit, full bulkhead, rate limit), and `reason` says which.
 */
export interface CallEndEvent {
  readonly operation: string;
  readonly outcome: 'success' | 'fallback' | 'failure';
  readonly rejected: boolean;
  /** Present exactly when `rejected`. */
  readonly reason?: RejectionReason;
  /** Which fallback answered, when `outcome` is `fallback` (the operation's own: `'fallback'`). */
  readonly source?: string;
  /** NaN only for a call that started before the observer subscribed. */
  readonly durationMs: number;
  /** The error the operation failed with (also when the fallback answered). */
  readonly error?: unknown;
  /**
   * Streaming calls only (`wrapStream`): milliseconds from the call's start to its first
   * chunk; `durationMs` is then the whole stream, and an interruption is a `failure`.
   */
  readonly firstChunkMs?: number;
  readonly at: number;
}

/** An attempt failed and another one will follow after `delayMs`. */
export interface RetryEvent {
  readonly operation: string;
  /** The attempt that failed (1 for the first call). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface StateChangeEvent {
  readonly operation: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly at: number;
}

export interface OperationEvent {
  readonly operation: string;
}

/**
 * One subscription that sees every operation: calls, outcomes, retries, breaker
 * transitions, configuration changes, operations coming and going. Implement only the
 * methods you need; a throwing method never breaks a call.
 */
export interface ResilienceObserver {
  onCallStart?(event: CallStartEvent): void;
  onCallEnd?(event: CallEndEvent): void;
  onRetry?(event: RetryEvent): void;
  onStateChange?(event: StateChangeEvent): void;
  onConfigChange?(entry: AuditEntry): void;
  onOperationAdded?(event: OperationEvent): void;
  onOperationRemoved?(event: OperationEvent): void;
}

/** The events behind `ResilienceObserver`, keyed by the method that receives them. */
export interface ObserverEvents {
  onCallStart: CallStartEvent;
  onCallEnd: CallEndEvent;
  onRetry: RetryEvent;
  onStateChange: StateChangeEvent;
  onConfigChange: AuditEntry;
  onOperationAdded: OperationEvent;
  onOperationRemoved: OperationEvent;
}

export const observerMethods: readonly (keyof ObserverEvents)[] = [
  'onCallStart',
  'onCallEnd',
  'onRetry',
  'onStateChange',
  'onConfigChange',
  'onOperationAdded',
  'onOperationRemoved',
];
