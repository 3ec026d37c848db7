import { Registry } from 'prom-client';
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
/** From a cache hit to a long LLM completion. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];
const METRIC_NAME_START = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function checkBuckets(value: unknown): readonly number[] {
  const expected = 'a non-empty array of increasing positive finite numbers (seconds)';
  if (!Array.isArray(value) || value.length === 0) return fail(WHERE, 'buckets', expected, value);
  const buckets = value as unknown[];
  buckets.forEach((bound, i) => {
    const previous = i === 0 ? 0 : (buckets[i - 1] as number);
    if (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= previous) {
      throw new RangeError(
        `${WHERE}: buckets must be ${expected}, got ${JSON.stringify(value)} (entry ${i})`,
      );
    }
  });
  return [...(buckets as number[])];
}

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
    buckets: options.buckets === undefined ? DEFAULT_BUCKETS : checkBuckets(options.buckets),
    maxOperations: options.maxOperations,
  };
}
