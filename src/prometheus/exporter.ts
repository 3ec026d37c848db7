import { Counter, Gauge, type Registry } from 'prom-client';
import { circuitStates } from '../core/breaker/state.js';
import { CallTally, callOutcomes, type OperationTally } from '../core/metrics/call-tally.js';
import { readCircuits, storeUp } from '../core/metrics/circuit-readings.js';
import { OperationLabels } from '../core/metrics/operation-labels.js';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { ScrapedHistogram } from './duration-histogram.js';
import { resolveOptions, type PrometheusMetricsOptions } from './options.js';

export interface PrometheusMetrics {
  /** The registry the metrics are on: serve `await registry.metrics()` at `/metrics`. */
  readonly registry: Registry;
  /** Stops observing and removes these metrics from the registry. Idempotent. */
  close(): void;
}

type Tallies = () => Iterable<[string, OperationTally]>;

/** A counter whose values are the tally's totals, copied in when the registry is read. */
function tallyCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  fill: (counter: Counter<string>) => void,
): Counter<string> {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      fill(this);
    },
  });
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
  const tallies: Tallies = () => tally.byLabel.entries();
  const names: string[] = [];
  const name = (suffix: string): string => {
    names.push(`${prefix}${suffix}`);
    return `${prefix}${suffix}`;
  };

  tallyCounter(
    registry,
    name('calls_total'),
    'Calls by outcome: success, failure, fallback (a fallback answered), rejected (refused without running).',
    ['operation', 'outcome'],
    (counter) => {
      for (const [operation, { calls }] of tallies()) {
        callOutcomes.forEach((outcome, i) => {
          const count = calls[i] ?? 0;
          if (count > 0) counter.inc({ operation, outcome }, count);
        });
      }
    },
  );
  new ScrapedHistogram(
    {
      name: name('call_duration_seconds'),
      help: 'How long calls took, retries and fallback included, by outcome.',
      labelNames: ['operation', 'outcome'],
      registry,
    },
    buckets,
    function* () {
      for (const [operation, { durations }] of tallies()) {
        for (const [i, outcome] of callOutcomes.entries()) {
          const counts = durations[i];
          if (counts !== undefined) yield { labels: { operation, outcome }, buckets: counts };
        }
      }
    },
  );
  tallyCounter(
    registry,
    name('retries_total'),
    'Attempts that failed and were retried.',
    ['operation'],
    (counter) => {
      for (const [operation, { retries }] of tallies()) {
        if (retries > 0) counter.inc({ operation }, retries);
      }
    },
  );
  tallyCounter(
    registry,
    name('fallbacks_total'),
    'Calls a fallback answered, by the fallback that did.',
    ['operation', 'source'],
    (counter) => {
      for (const [operation, { fallbacks }] of tallies()) {
        for (const [source, count] of fallbacks) counter.inc({ operation, source }, count);
      }
    },
  );
  tallyCounter(
    registry,
    name('rejections_total'),
    'Calls refused without running: circuit_open, bulkhead_full, rate_limited.',
    ['operation', 'reason'],
    (counter) => {
      for (const [operation, { rejections }] of tallies()) {
        for (const [reason, count] of rejections) counter.inc({ operation, reason }, count);
      }
    },
  );
  tallyCounter(
    registry,
    name('circuit_transitions_total'),
    'Circuit breaker state changes.',
    ['operation', 'from', 'to'],
    (counter) => {
      for (const [operation, { transitions }] of tallies()) {
        for (const { from, to, count } of transitions.values()) {
          counter.inc({ operation, from, to }, count);
        }
      }
    },
  );
  new Gauge({
    name: name('circuit_state'),
    help: 'Circuit breaker state: 1 for the current state, 0 for the others (summed over operation="other").',
    labelNames: ['operation', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [operation, reading] of readCircuits(resilience, labels)) {
        for (const state of circuitStates) this.set({ operation, state }, reading.states[state]);
      }
    },
  });
  new Gauge({
    name: name('circuit_failure_rate'),
    help: 'Share of failures in the breaker window, 0 to 1 (the highest over operation="other").',
    labelNames: ['operation'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [operation, reading] of readCircuits(resilience, labels)) {
        this.set({ operation }, reading.failureRate);
      }
    },
  });
  new Gauge({
    name: name('circuit_failure_rate_threshold'),
    help: 'The failure rate at which the breaker opens, for breakers that trip on a rate.',
    labelNames: ['operation'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [operation, reading] of readCircuits(resilience, labels)) {
        if (reading.threshold !== undefined) this.set({ operation }, reading.threshold);
      }
    },
  });
  new Gauge({
    name: name('store_up'),
    help: 'Whether the breaker store is reachable (1) or breakers decide locally (0).',
    registers: [registry],
    collect() {
      this.set(storeUp(resilience));
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
