import type { Attributes, BatchObservableCallback, Meter, Observable } from '@opentelemetry/api';
import { circuitStates } from '../core/breaker/state.js';
import { checkBuckets } from '../core/metrics/bucket-bounds.js';
import { CallTally, callOutcomes } from '../core/metrics/call-tally.js';
import { readCircuits, storeProbes, storeUp } from '../core/metrics/circuit-readings.js';
import { OperationLabels } from '../core/metrics/operation-labels.js';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { DurationReplay } from './duration-replay.js';
import { checkMeter, type OpenTelemetryMetricsOptions } from './options.js';

export interface OpenTelemetryMetrics {
  /** Stops observing: the observable instruments stop reporting and no duration is recorded. */
  close(): void;
}

const WHERE = 'openTelemetryMetrics';
const OPERATION = 'breakwater.operation';

/** The instruments, by their OpenTelemetry names (SPEC §8.1). */
function instruments(meter: Meter, buckets: readonly number[]) {
  return {
    calls: meter.createObservableCounter('breakwater.calls', {
      description: 'Calls by outcome: success, failure, fallback, rejected',
      unit: '{call}',
    }),
    duration: meter.createHistogram('breakwater.call.duration', {
      description: 'How long calls took, retries and fallback included, by outcome',
      unit: 's',
      advice: { explicitBucketBoundaries: [...buckets] },
    }),
    retries: meter.createObservableCounter('breakwater.retries', {
      description: 'Attempts that failed and were retried',
      unit: '{retry}',
    }),
    fallbacks: meter.createObservableCounter('breakwater.fallbacks', {
      description: 'Calls a fallback answered, by the fallback that did',
      unit: '{call}',
    }),
    rejections: meter.createObservableCounter('breakwater.rejections', {
      description: 'Calls refused without running: circuit_open, bulkhead_full, rate_limited',
      unit: '{call}',
    }),
    transitions: meter.createObservableCounter('breakwater.circuit.transitions', {
      description: 'Circuit breaker state changes',
      unit: '{transition}',
    }),
    state: meter.createObservableGauge('breakwater.circuit.state', {
      description: 'Circuit breaker state: 1 for the current state, 0 for the others',
    }),
    failureRate: meter.createObservableGauge('breakwater.circuit.failure_rate', {
      description: 'Share of failures in the breaker window',
      unit: '1',
    }),
    storeUp: meter.createObservableGauge('breakwater.store.up', {
      description: 'Whether the breaker store is reachable (1) or breakers decide locally (0)',
    }),
    storeUnsharedProbes: meter.createObservableCounter('breakwater.store.unshared_probes', {
      description:
        "Half-open probes decided without the shared store: run alone ('local') or refused ('strict')",
      unit: '{probe}',
    }),
  };
}

/**
 * Reports the orchestrator's calls, retries, fallbacks, rejections and breakers as
 * OpenTelemetry instruments on `meter` (SPEC §8.1). Calls are counted through `observe()`
 * into plain numbers and reported when the meter collects; breaker state is read then too.
 */
export function openTelemetryMetrics(
  resilience: Resilience,
  options: OpenTelemetryMetricsOptions,
): OpenTelemetryMetrics {
  const meter = checkMeter((options as Partial<OpenTelemetryMetricsOptions> | undefined)?.meter);
  const buckets = checkBuckets(WHERE, options.buckets);
  const labels = new OperationLabels(WHERE, options.maxOperations);
  const tally = new CallTally(resilience, labels, buckets);
  const made = instruments(meter, buckets);
  const replay = new DurationReplay(made.duration);

  const collect: BatchObservableCallback = (result) => {
    for (const [operation, entry] of tally.byLabel) {
      callOutcomes.forEach((outcome, i) => {
        const attributes: Attributes = { [OPERATION]: operation, 'breakwater.outcome': outcome };
        const count = entry.calls[i] ?? 0;
        if (count > 0) result.observe(made.calls, count, attributes);
        const durations = entry.durations[i];
        if (durations !== undefined) replay.replay(durations, attributes);
      });
      if (entry.retries > 0)
        result.observe(made.retries, entry.retries, { [OPERATION]: operation });
      for (const [source, count] of entry.fallbacks) {
        result.observe(made.fallbacks, count, {
          [OPERATION]: operation,
          'breakwater.source': source,
        });
      }
      for (const [reason, count] of entry.rejections) {
        result.observe(made.rejections, count, {
          [OPERATION]: operation,
          'breakwater.reason': reason,
        });
      }
      for (const { from, to, count } of entry.transitions.values()) {
        const attributes = { [OPERATION]: operation, 'breakwater.from': from, 'breakwater.to': to };
        result.observe(made.transitions, count, attributes);
      }
    }
    for (const [operation, reading] of readCircuits(resilience, labels)) {
      for (const state of circuitStates) {
        const attributes = { [OPERATION]: operation, 'breakwater.state': state };
        result.observe(made.state, reading.states[state], attributes);
      }
      result.observe(made.failureRate, reading.failureRate, { [OPERATION]: operation });
    }
    result.observe(made.storeUp, storeUp(resilience));
    const probes = storeProbes(resilience);
    if (probes !== undefined) {
      result.observe(made.storeUnsharedProbes, probes.local, { 'breakwater.decision': 'local' });
      result.observe(made.storeUnsharedProbes, probes.refused, {
        'breakwater.decision': 'refused',
      });
    }
  };
  const observables: Observable[] = [
    made.calls,
    made.retries,
    made.fallbacks,
    made.rejections,
    made.transitions,
    made.state,
    made.failureRate,
    made.storeUp,
    made.storeUnsharedProbes,
  ];
  meter.addBatchObservableCallback(collect, observables);

  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      tally.close();
      meter.removeBatchObservableCallback(collect, observables);
    },
  };
}
