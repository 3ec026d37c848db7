import type { Registry } from 'prom-client';
import { circuitStates } from '../core/breaker/state.js';
import {
  CallTally,
  callOutcomes,
  type CallOutcome,
  type OperationTally,
} from '../core/metrics/call-tally.js';
import {
  readCircuits,
  storeProbes,
  storeUp,
  type CircuitReading,
} from '../core/metrics/circuit-readings.js';
import { OperationLabels } from '../core/metrics/operation-labels.js';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { SeriesCache, seriesOf, type OperationSeries, type Series } from './label-sets.js';
import { resolveOptions, type PrometheusMetricsOptions } from './options.js';
import {
  ScrapedCounter,
  ScrapedGauge,
  ScrapedHistogram,
  type Emit,
  type ScrapedConfig,
} from './scraped-metrics.js';

export interface PrometheusMetrics {
  /** The registry the metrics are on: serve `await registry.metrics()` at `/metrics`. */
  readonly registry: Registry;
  /** Stops observing and removes these metrics from the registry. Idempotent. */
  close(): void;
}

/**
 * Exports the orchestrator's calls, retries, fallbacks, rejections and breakers as
 * Prometheus metrics (SPEC §8.1) on `registry` (a new one when absent; no default metrics
 * are added). Calls are counted through `observe()` into plain numbers; breaker state,
 * failure rate and store health are read at scrape time, so they are never stale.
 */
export function prometheusMetrics(
  resilience: Resilience,
  options: PrometheusMetricsOptions = {},
): PrometheusMetrics {
  const { registry, prefix, buckets, maxOperations } = resolveOptions(options);
  const labels = new OperationLabels('prometheusMetrics', maxOperations);
  const tally = new CallTally(resilience, labels, buckets);
  const names: string[] = [];
  const name = (suffix: string): string => {
    names.push(`${prefix}${suffix}`);
    return `${prefix}${suffix}`;
  };
  /** Emits what `read` finds in each operation label's tally, given that label's series of `metric`. */
  const perTally = (
    metric: string,
    read: (tally: OperationTally, emit: Emit, of: OperationSeries) => void,
  ): ScrapedConfig['read'] => {
    const cache = new SeriesCache(metric);
    return (emit) => {
      for (const [operation, entry] of tally.byLabel) read(entry, emit, cache.of(operation));
    };
  };
  // The breaker gauges are written in one synchronous pass of the registry: they share one
  // reading of the breakers, dropped once that pass is over so the next scrape reads anew.
  let readings: Map<string, CircuitReading> | undefined;
  const circuits = (): Map<string, CircuitReading> => {
    if (readings === undefined) {
      readings = readCircuits(resilience, labels);
      queueMicrotask(() => (readings = undefined));
    }
    return readings;
  };
  /** Emits what `read` finds in each operation label's breaker reading, given that label's series of `metric`. */
  const perCircuit = (
    metric: string,
    read: (reading: CircuitReading, emit: Emit, of: OperationSeries) => void,
  ): ScrapedConfig['read'] => {
    const cache = new SeriesCache(metric);
    return (emit) => {
      for (const [operation, reading] of circuits()) read(reading, emit, cache.of(operation));
    };
  };

  const calls = name('calls_total');
  new ScrapedCounter({
    name: calls,
    help: 'Calls by outcome: success, failure, fallback (a fallback answered), rejected (refused without running).',
    labelNames: ['operation', 'outcome'],
    registry,
    read: perTally(calls, (entry, emit, of) => {
      for (let i = 0; i < callOutcomes.length; i++) {
        const count = entry.calls[i] ?? 0;
        if (count > 0) emit(count, of.one('outcome', callOutcomes[i] as CallOutcome));
      }
    }),
  });
  const duration = name('call_duration_seconds');
  const sums = new SeriesCache(`${duration}_sum`);
  const counts = new SeriesCache(`${duration}_count`);
  const bounds = [...buckets.map(String), '+Inf'];
  new ScrapedHistogram({
    name: duration,
    help: 'How long calls took, retries and fallback included, by outcome.',
    labelNames: ['operation', 'outcome'],
    registry,
    buckets,
    read: perTally(`${duration}_bucket`, ({ durations }, emit, of) => {
      for (let i = 0; i < callOutcomes.length; i++) {
        const timed = durations[i];
        if (timed === undefined) continue;
        const outcome = callOutcomes[i] as CallOutcome;
        const bucketSeries = of.buckets(outcome, bounds);
        let cumulative = 0;
        for (let b = 0; b < bucketSeries.length; b++) {
          cumulative += timed.counts[b] ?? 0;
          emit(cumulative, bucketSeries[b] as Series);
        }
        const operation = of.operation.labels.operation ?? '';
        emit(timed.sum, sums.of(operation).one('outcome', outcome));
        emit(timed.count, counts.of(operation).one('outcome', outcome));
      }
    }),
  });
  const retries = name('retries_total');
  new ScrapedCounter({
    name: retries,
    help: 'Attempts that failed and were retried.',
    labelNames: ['operation'],
    registry,
    read: perTally(retries, (entry, emit, of) => {
      if (entry.retries > 0) emit(entry.retries, of.operation);
    }),
  });
  const fallbacks = name('fallbacks_total');
  new ScrapedCounter({
    name: fallbacks,
    help: 'Calls a fallback answered, by the fallback that did.',
    labelNames: ['operation', 'source'],
    registry,
    read: perTally(fallbacks, (entry, emit, of) => {
      for (const [source, count] of entry.fallbacks) emit(count, of.one('source', source));
    }),
  });
  const rejections = name('rejections_total');
  new ScrapedCounter({
    name: rejections,
    help: 'Calls refused without running: circuit_open, bulkhead_full, rate_limited.',
    labelNames: ['operation', 'reason'],
    registry,
    read: perTally(rejections, (entry, emit, of) => {
      for (const [reason, count] of entry.rejections) emit(count, of.one('reason', reason));
    }),
  });
  const transitions = name('circuit_transitions_total');
  new ScrapedCounter({
    name: transitions,
    help: 'Circuit breaker state changes.',
    labelNames: ['operation', 'from', 'to'],
    registry,
    read: perTally(transitions, (entry, emit, of) => {
      for (const { from, to, count } of entry.transitions.values()) {
        emit(count, of.with({ from, to }));
      }
    }),
  });
  const state = name('circuit_state');
  new ScrapedGauge({
    name: state,
    help: 'Circuit breaker state: 1 for the current state, 0 for the others (summed over operation="other").',
    labelNames: ['operation', 'state'],
    registry,
    read: perCircuit(state, (reading, emit, of) => {
      for (const current of circuitStates) emit(reading.states[current], of.one('state', current));
    }),
  });
  const failureRate = name('circuit_failure_rate');
  new ScrapedGauge({
    name: failureRate,
    help: 'Share of failures in the breaker window, 0 to 1 (the highest over operation="other").',
    labelNames: ['operation'],
    registry,
    read: perCircuit(failureRate, (reading, emit, of) => emit(reading.failureRate, of.operation)),
  });
  const threshold = name('circuit_failure_rate_threshold');
  new ScrapedGauge({
    name: threshold,
    help: 'The failure rate at which the breaker opens, for breakers that trip on a rate.',
    labelNames: ['operation'],
    registry,
    read: perCircuit(threshold, (reading, emit, of) => {
      if (reading.threshold !== undefined) emit(reading.threshold, of.operation);
    }),
  });
  const store = name('store_up');
  const storeSeries = seriesOf(store, {});
  new ScrapedGauge({
    name: store,
    help: 'Whether the breaker store is reachable (1) or breakers decide locally (0).',
    labelNames: [],
    registry,
    read: (emit) => emit(storeUp(resilience), storeSeries),
  });
  const unshared = name('store_unshared_probes_total');
  const localSeries = seriesOf(unshared, { decision: 'local' });
  const refusedSeries = seriesOf(unshared, { decision: 'refused' });
  new ScrapedCounter({
    name: unshared,
    help: "Half-open probes decided without the shared store while it was unreachable: run alone (onStoreUnavailable 'local') or refused ('strict').",
    labelNames: ['decision'],
    registry,
    read: (emit) => {
      const probes = storeProbes(resilience);
      if (probes === undefined) return;
      emit(probes.local, localSeries);
      emit(probes.refused, refusedSeries);
    },
  });

  let closed = false;
  return {
    registry,
    close() {
      if (closed) return;
      closed = true;
      tally.close();
      for (const metric of names) registry.removeSingleMetric(metric);
    },
  };
}
