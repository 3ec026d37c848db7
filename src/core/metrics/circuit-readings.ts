import type { CircuitState } from '../breaker/state.js';
import type { Resilience } from '../orchestrator/resilience.js';
import type { OperationLabels } from './operation-labels.js';

/** What exporters report, at collection time, about the breakers behind one `operation` label. */
export interface CircuitReading {
  /** How many of the label's breakers are in each state (1 and 0s for a label of its own). */
  readonly states: Record<CircuitState, number>;
  /** The highest failure rate among them, 0..1. */
  failureRate: number;
  /** The failure-rate trip threshold, for breakers that trip on a rate. */
  threshold: number | undefined;
}

const noStates = (): Record<CircuitState, number> => ({
  closed: 0,
  open: 0,
  'half-open': 0,
  isolated: 0,
  disabled: 0,
});

/**
 * Reads every operation's breaker now, so that a state is never older than the scrape that
 * reports it. Operations past the label limit are summed under their shared label.
 */
export function readCircuits(
  resilience: Resilience,
  labels: OperationLabels,
): Map<string, CircuitReading> {
  const readings = new Map<string, CircuitReading>();
  for (const operation of resilience.operations()) {
    const breaker = resilience.breaker(operation);
    if (breaker === undefined) continue;
    const label = labels.of(operation);
    let reading = readings.get(label);
    if (reading === undefined) {
      reading = { states: noStates(), failureRate: 0, threshold: undefined };
      readings.set(label, reading);
    }
    const stats = breaker.stats();
    reading.states[stats.state]++;
    reading.failureRate = Math.max(reading.failureRate, stats.failureRate);
    if (stats.trip === 'failure-rate') reading.threshold = stats.threshold;
  }
  return readings;
}

/** 1 while the breaker store is reachable (or keeps state in this process), else 0. */
export function storeUp(resilience: Resilience): 0 | 1 {
  const store = resilience.healthStatus().store;
  return store === undefined || store.connection === 'ready' ? 1 : 0;
}

/** Half-open probes the store decided without the fleet, by decision; none for a local store. */
export function storeProbes(
  resilience: Resilience,
): { local: number; refused: number } | undefined {
  const store = resilience.healthStatus().store;
  if (store?.localProbes === undefined && store?.refusedProbes === undefined) return undefined;
  return { local: store.localProbes ?? 0, refused: store.refusedProbes ?? 0 };
}
