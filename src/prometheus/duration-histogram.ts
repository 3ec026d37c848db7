import { Histogram, type Registry } from 'prom-client';
import type { DurationBuckets } from '../core/metrics/duration-buckets.js';

interface ExportedValue {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

/** The series a histogram exports: one per label set, with its raw bucket counts. */
export type HistogramSeries = () => Iterable<{
  readonly labels: Readonly<Record<string, string>>;
  readonly buckets: DurationBuckets;
}>;

/**
 * A prom-client histogram whose values are counted elsewhere (by the call tally, a few
 * increments per call) and read at scrape time. prom-client's own `observe` hashes the labels
 * on every call, which costs more than a whole resilient call; this keeps the registry's
 * type, name and format while the counting stays on the cheap side.
 */
export class ScrapedHistogram extends Histogram<string> {
  private readonly metricName: string;
  private readonly helpText: string;

  constructor(
    config: { name: string; help: string; labelNames: readonly string[]; registry: Registry },
    private readonly bounds: readonly number[],
    private readonly series: HistogramSeries,
  ) {
    super({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      buckets: [...bounds],
      registers: [config.registry],
    });
    this.metricName = config.name;
    this.helpText = config.help;
  }

  override get(): ReturnType<Histogram<string>['get']> {
    // The shape prom-client's own histogram produces; its typings name the type by an enum
    // whose runtime value is this string.
    const exported = {
      name: this.metricName,
      help: this.helpText,
      type: 'histogram',
      aggregator: 'sum',
      values: this.values(),
      collect: () => undefined,
    };
    return Promise.resolve(exported as unknown as Awaited<ReturnType<Histogram<string>['get']>>);
  }

  /** What prom-client's registry calls when it writes the text format. */
  getForPromString(): ReturnType<Histogram<string>['get']> {
    return this.get();
  }

  private values(): ExportedValue[] {
    const values: ExportedValue[] = [];
    const name = this.metricName;
    const bucketName = `${name}_bucket`;
    for (const { labels, buckets } of this.series()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += buckets.counts[i] ?? 0;
        values.push({
          value: cumulative,
          labels: { ...labels, le: bound },
          metricName: bucketName,
        });
      });
      values.push({
        value: buckets.count,
        labels: { ...labels, le: '+Inf' },
        metricName: bucketName,
      });
      values.push({ value: buckets.sum, labels: { ...labels }, metricName: `${name}_sum` });
      values.push({ value: buckets.count, labels: { ...labels }, metricName: `${name}_count` });
    }
    return values;
  }
}
