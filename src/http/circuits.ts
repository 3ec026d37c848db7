import type { CircuitBreaker } from '../core/breaker/circuit-breaker.js';
import type { CircuitStats } from '../core/breaker/stats.js';
import type { Resilience } from '../core/orchestrator/resilience.js';

/** One breaker as `GET /circuits` shows it: `breaker.stats()` with times as ISO strings. */
export interface CircuitView extends Omit<CircuitStats, 'lastFailureAt' | 'openedAt'> {
  readonly lastFailureAt: string | null;
  readonly openedAt: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The view of one breaker, listed under its operation's name. */
export function circuitView(operation: string, breaker: CircuitBreaker): CircuitView {
  const stats = breaker.stats();
  return {
    ...stats,
    name: operation,
    lastFailureAt: iso(stats.lastFailureAt),
    openedAt: iso(stats.openedAt),
  };
}

/** Every operation that has a breaker, with its breaker. */
export function* breakersOf(resilience: Resilience): Generator<[string, CircuitBreaker]> {
  for (const operation of resilience.operations()) {
    const breaker = resilience.breaker(operation);
    if (breaker !== undefined) yield [operation, breaker];
  }
}
