import { Registry } from 'prom-client';
import { checkBuckets } from '../core/metrics/bucket-bounds.js';
import { fail } from '../core/option-checks.js';

export interface PrometheusMetricsOptions {
  /** Where the metrics are registered; a new `Registry` when absent (never prom-client's global one). */
  readonly registry?: Registry;
  /** Starts every metric name; default `'breakwater_'`. */
  readonly prefix?: string;
  /** Upper bounds, in seconds, of `call_duration_seconds`; default 5 ms … 120 s (LLM calls). */
  readonly buckets?: readonly number[];
  /** Operations with a label of their own; later ones share `operation="other"`. Default 1,000. */
  readonly maxOperations?: number;
}

export interface ResolvedOptions {
  readonly registry: Registry;
  readonly prefix: string;
  readonly buckets: readonly number[];
  /** Checked by the operation labels that use it. */
  readonly maxOperations: number | undefined;
}

const WHERE = 'prometheusMetrics';
const METRIC_NAME_START = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function resolveOptions(options: PrometheusMetricsOptions): ResolvedOptions {
  const { registry = new Registry(), prefix = 'breakwater_' } = options;
  if (typeof (registry as Partial<Registry> | null)?.registerMetric !== 'function') {
    fail(
      WHERE,
      'registry',
      "a prom-client Registry (new Registry() or prom-client's register)",
      registry,
    );
  }
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_NAME_START.test(prefix))) {
    fail(WHERE, 'prefix', 'a string of letters, digits, _ and : not starting with a digit', prefix);
  }
  return {
    registry,
    prefix,
    buckets: checkBuckets(WHERE, options.buckets),
    maxOperations: options.maxOperations,
  };
}
