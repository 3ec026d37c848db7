import type { Registry } from 'prom-client';
import { circuitStates } from '../core/breaker/state.js';
import { CallTally, callOutcomes, type OperationTally } from '../core/metrics/call-tally.js';
import { readCircuits, storeUp } from '../core/metrics/circuit-readings.js';
import { OperationLabels } from '../core/metrics/operation-labels.js';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { LabelSetCache, type LabelSet, type OperationLabelSets } from './label-sets.js';
import { resolveOptions, type PrometheusMetricsOptions } from './options.js';
import {
  NO_LABELS,
  ScrapedCounter,
  ScrapedGauge,
  ScrapedHistogram,
  type Sample,
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
  const sets = new LabelSetCache();
  const names: string[] = [];
  const name = (suffix: string): string => {
    names.push(`${prefix}${suffix}`);
    return `${prefix}${suffix}`;
  };
  const sample = (value: number, series: LabelSet): Sample => ({
    value,
    labels: NO_LABELS,
    sharedLabels: series,
  });
  /** The samples `read` adds for each operation label's tally, given that label's label sets. */
  const perTally =
    (
      read: (
        tally: OperationTally,
        add: (value: number, series: LabelSet) => void,
        of: OperationLabelSets,
      ) => void,
    ) =>
    (): Sample[] => {
      const samples: Sample[] = [];
      for (const [operation, entry] of tally.byLabel) {
        read(entry, (value, series) => samples.push(sample(value, series)), sets.of(operation));
      }
      return samples;
    };

  new ScrapedCounter({
    name: name('calls_total'),
    help: 'Calls by outcome: success, failure, fallback (a fallback answered), rejected (refused without running).',
    labelNames: ['operation', 'outcome'],
    registry,
    read: perTally(({ calls }, add, of) => {
      callOutcomes.forEach((outcome, i) => {
        const count = calls[i] ?? 0;
        if (count > 0) add(count, of.one('outcome', outcome));
      });
    }),
  });
  const bucketName = `${prefix}call_duration_seconds_bucket`;
  const sumName = `${prefix}call_duration_seconds_sum`;
  const countName = `${prefix}call_duration_seconds_count`;
  const bounds = [...buckets.map(String), '+Inf'];
  new ScrapedHistogram({
    name: name('call_duration_seconds'),
    help: 'How long calls took, retries and fallback included, by outcome.',
    labelNames: ['operation', 'outcome'],
    registry,
    buckets,
    read: () => {
      const samples: Sample[] = [];
      for (const [operation, { durations }] of tally.byLabel) {
        const of = sets.of(operation);
        callOutcomes.forEach((outcome, i) => {
          const counts = durations[i];
          if (counts === undefined) return;
          // Every label in the cached shared set: prom-client then writes each line from its
          // cache (BENCHMARKS.md "Prometheus scrape (`registry.metrics()`), 1,000 operations").
          const bucketSets = of.buckets(outcome, bounds);
          let cumulative = 0;
          for (let b = 0; b < bucketSets.length; b++) {
            cumulative += counts.counts[b] ?? 0;
            const series = bucketSets[b] as LabelSet;
            samples.push({
              value: cumulative,
              labels: NO_LABELS,
              sharedLabels: series,
              metricName: bucketName,
            });
          }
          const series = of.one('outcome', outcome);
          samples.push({
            value: counts.sum,
            labels: NO_LABELS,
            sharedLabels: series,
            metricName: sumName,
          });
          samples.push({
            value: counts.count,
            labels: NO_LABELS,
            sharedLabels: series,
            metricName: countName,
          });
        });
      }
      return samples;
    },
  });
  new ScrapedCounter({
    name: name('retries_total'),
    help: 'Attempts that failed and were retried.',
    labelNames: ['operation'],
    registry,
    read: perTally(({ retries }, add, of) => {
      if (retries > 0) add(retries, of.operation);
    }),
  });
  new ScrapedCounter({
    name: name('fallbacks_total'),
    help: 'Calls a fallback answered, by the fallback that did.',
    labelNames: ['operation', 'source'],
    registry,
    read: perTally(({ fallbacks }, add, of) => {
      for (const [source, count] of fallbacks) add(count, of.one('source', source));
    }),
  });
  new ScrapedCounter({
    name: name('rejections_total'),
    help: 'Calls refused without running: circuit_open, bulkhead_full, rate_limited.',
    labelNames: ['operation', 'reason'],
    registry,
    read: perTally(({ rejections }, add, of) => {
      for (const [reason, count] of rejections) add(count, of.one('reason', reason));
    }),
  });
  new ScrapedCounter({
    name: name('circuit_transitions_total'),
    help: 'Circuit breaker state changes.',
    labelNames: ['operation', 'from', 'to'],
    registry,
    read: perTally(({ transitions }, add, of) => {
      for (const { from, to, count } of transitions.values()) add(count, of.with({ from, to }));
    }),
  });
  // The three breaker gauges are written in one synchronous pass of the registry: they share
  // one reading of the breakers, dropped once that pass is over so the next scrape reads anew.
  let readings: ReturnType<typeof readCircuits> | undefined;
  const circuits = (): ReturnType<typeof readCircuits> => {
    if (readings === undefined) {
      readings = readCircuits(resilience, labels);
      queueMicrotask(() => (readings = undefined));
    }
    return readings;
  };
  new ScrapedGauge({
    name: name('circuit_state'),
    help: 'Circuit breaker state: 1 for the current state, 0 for the others (summed over operation="other").',
    labelNames: ['operation', 'state'],
    registry,
    read: () => {
      const samples: Sample[] = [];
      for (const [operation, reading] of circuits()) {
        const of = sets.of(operation);
        for (const state of circuitStates)
          samples.push(sample(reading.states[state], of.one('state', state)));
      }
      return samples;
    },
  });
  new ScrapedGauge({
    name: name('circuit_failure_rate'),
    help: 'Share of failures in the breaker window, 0 to 1 (the highest over operation="other").',
    labelNames: ['operation'],
    registry,
    read: () =>
      [...circuits()].map(([operation, reading]) =>
        sample(reading.failureRate, sets.of(operation).operation),
      ),
  });
  new ScrapedGauge({
    name: name('circuit_failure_rate_threshold'),
    help: 'The failure rate at which the breaker opens, for breakers that trip on a rate.',
    labelNames: ['operation'],
    registry,
    read: () =>
      [...circuits()].flatMap(([operation, { threshold }]) =>
        threshold === undefined ? [] : [sample(threshold, sets.of(operation).operation)],
      ),
  });
  new ScrapedGauge({
    name: name('store_up'),
    help: 'Whether the breaker store is reachable (1) or breakers decide locally (0).',
    labelNames: [],
    registry,
    read: () => [{ value: storeUp(resilience), labels: NO_LABELS }],
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
