import type { Meter } from '@opentelemetry/api';
import { fail } from '../core/option-checks.js';

export interface OpenTelemetryMetricsOptions {
  /** Where the instruments are created: `metrics.getMeter('my-service')`. */
  readonly meter: Meter;
  /** Bucket bounds, in seconds, advised for `breakwater.call.duration`; default 5 ms … 120 s. */
  readonly buckets?: readonly number[];
  /** Operations with an attribute value of their own; later ones share `'other'`. Default 1,000. */
  readonly maxOperations?: number;
}

const WHERE = 'openTelemetryMetrics';
export function checkMeter(meter: unknown): Meter {
  const candidate = meter as Partial<Meter> | null | undefined;
  if (
    typeof candidate?.createHistogram !== 'function' ||
    typeof candidate.createObservableCounter !== 'function' ||
    typeof candidate.createObservableGauge !== 'function' ||
    typeof candidate.addBatchObservableCallback !== 'function'
  ) {
    fail(WHERE, 'meter', "an OpenTelemetry Meter (metrics.getMeter('…'))", meter);
  }
  return candidate as Meter;
}
