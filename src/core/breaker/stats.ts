import type { CircuitState } from './state.js';

/**
 * A breaker's facts as `breaker.stats()` reads them: what `/circuits`, health checks and
 * dashboards show. Times are the breaker's clock in milliseconds (epoch ms by default).
 */
export interface CircuitStats {
  readonly name: string;
  /** As `breaker.state`: an open circuit past its open time reads `'half-open'`. */
  readonly state: CircuitState;
  /** False while the kill switch (`disable()`) is on. */
  readonly enabled: boolean;
  /** Failed share of the calls the trip window holds, 0..1 (0 for an empty window). */
  readonly failureRate: number;
  /** The trip strategy's threshold: failures in a row, or a failure rate (0..1). */
  readonly threshold: number;
  readonly trip: 'consecutive' | 'failure-rate';
  /** Calls the trip window holds (0 for `consecutive`, which keeps only a count). */
  readonly bufferedCalls: number;
  /** Failed calls among them. */
  readonly failedCalls: number;
  /** Calls rejected without running since the breaker was made. */
  readonly rejectedCalls: number;
  /** Counted failures in a row in closed (or disabled) state. */
  readonly consecutiveFailures: number;
  /** When the last counted failure happened; null when none has. */
  readonly lastFailureAt: number | null;
  /** When the circuit opened (open and half-open only). */
  readonly openedAt: number | null;
  /** Until the open time ends (0 once a probe is due); null outside open and half-open. */
  readonly retryAfterMs: number | null;
  /** Opens in a row without closing in between. */
  readonly opens: number;
}
