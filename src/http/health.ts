import type { CircuitState } from '../core/breaker/state.js';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { breakersOf } from './circuits.js';

export type HealthStatus = 'pass' | 'warn' | 'fail';

/** One entry of `checks` (IETF health-check response format). */
export interface HealthCheck {
  readonly componentType: 'circuit' | 'datastore';
  readonly status: HealthStatus;
  readonly observedValue: string;
  readonly time: string;
  readonly output?: string;
}

/** `GET /health`'s document: the IETF format plus the orchestrator's health fields. */
export interface HealthDocument {
  readonly status: HealthStatus;
  readonly checks: Record<string, HealthCheck[]>;
  readonly healthy: boolean;
  readonly openCircuitBreakers: string[];
  readonly halfOpenCircuitBreakers: string[];
  readonly totalCircuitBreakers: number;
  readonly timestamp: string;
}

export interface HealthAnswer {
  readonly status: 200 | 503;
  readonly document: HealthDocument;
  /** Seconds until the soonest probe, for `Retry-After` when failing. */
  readonly retryAfterSeconds: number | undefined;
}

const NOT_SERVING: ReadonlySet<CircuitState> = new Set(['open', 'half-open', 'isolated']);

/**
 * The health document. A circuit that is open, half-open or isolated is `warn` — the service
 * answers, degraded — or `fail` with `failOnOpen`, which also answers 503 with the seconds to
 * the soonest probe. A store that lost its connection is `warn`: breakers keep deciding locally.
 */
export function healthOf(resilience: Resilience, failOnOpen: boolean): HealthAnswer {
  const seeds = resilience.healthStatus();
  const time = seeds.timestamp;
  const checks = Object.create(null) as Record<string, HealthCheck[]>;
  let status: HealthStatus = 'pass';
  let soonestMs = Infinity;
  const degraded: HealthStatus = failOnOpen ? 'fail' : 'warn';
  for (const [operation, breaker] of breakersOf(resilience)) {
    const state = breaker.state;
    const serving = !NOT_SERVING.has(state);
    if (!serving) {
      status = worse(status, degraded);
      const retryAfterMs = state === 'isolated' ? null : breaker.stats().retryAfterMs;
      if (retryAfterMs !== null) soonestMs = Math.min(soonestMs, retryAfterMs);
    }
    checks[`circuit:${operation}`] = [
      { componentType: 'circuit', status: serving ? 'pass' : degraded, observedValue: state, time },
    ];
  }
  if (seeds.store !== undefined) {
    const { connection, lastError } = seeds.store;
    const up = connection === 'ready';
    if (!up) status = worse(status, 'warn');
    checks['store:connection'] = [
      {
        componentType: 'datastore',
        status: up ? 'pass' : 'warn',
        observedValue: connection,
        time,
        ...(lastError === undefined ? {} : { output: lastError }),
      },
    ];
  }
  const failing = status === 'fail';
  return {
    status: failing ? 503 : 200,
    document: {
      status,
      checks,
      healthy: seeds.healthy,
      openCircuitBreakers: seeds.openCircuitBreakers,
      halfOpenCircuitBreakers: seeds.halfOpenCircuitBreakers,
      totalCircuitBreakers: seeds.totalCircuitBreakers,
      timestamp: time,
    },
    // At least a second: a probe "due now" still needs a moment to decide.
    retryAfterSeconds:
      failing && soonestMs !== Infinity ? Math.max(1, Math.ceil(soonestMs / 1000)) : undefined,
  };
}

const RANK: Readonly<Record<HealthStatus, number>> = { pass: 0, warn: 1, fail: 2 };
const worse = (a: HealthStatus, b: HealthStatus): HealthStatus => (RANK[b] > RANK[a] ? b : a);
