/**
 * A call whose answer arrives before its outcome is known: a stream is answered at its
 * first chunk, but only its end says whether it succeeded. Policies that count outcomes (a
 * breaker, the orchestrator's metrics) see such an answer and wait for its verdict instead
 * of counting a success. A global symbol, so two copies of the package still understand it.
 */
export const SETTLES_LATER: unique symbol = Symbol.for('breakwater.settles-later') as never;

/** How a call answered early finally went. */
export interface LateOutcome {
  /** True when the call failed after it answered (a stream interrupted after its first chunk). */
  readonly failed: boolean;
  /** The failure, or why the call stopped early (a consumer's abort); undefined after a clean end. */
  readonly error: unknown;
  /** Clock time of the early answer (a stream's first chunk). */
  readonly answeredAt: number;
  /** Clock time of the end. */
  readonly endedAt: number;
}

export interface SettlesLater {
  /** Calls `listener` once, when the outcome is known; a throwing listener is ignored. */
  [SETTLES_LATER](listener: (outcome: LateOutcome) => void): void;
}

export function settlesLater(value: unknown): value is SettlesLater {
  return typeof value === 'object' && value !== null && SETTLES_LATER in value;
}
