import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { LabelSet } from './label-sets.js';

/** One sample as prom-client's registry writes it; `sharedLabels` are written through its cache. */
export interface Sample {
  readonly value: number;
  readonly labels: LabelSet;
  readonly sharedLabels?: LabelSet;
  readonly metricName?: string;
}

export interface ScrapedConfig {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly registry: Registry;
  /** The samples of this scrape, read from the tally and the breakers. */
  readonly read: () => Sample[];
}

type Exported = Awaited<ReturnType<Counter['get']>>;
/** The labels of a sample whose labels are all in its cached `sharedLabels`. */
export const NO_LABELS: LabelSet = {};

/** What prom-client's registry reads from a metric; its typings name `type` by an enum whose runtime value is this string. */
function exported(config: ScrapedConfig, type: string, values: readonly Sample[]): Exported {
  const metric = { name: config.name, help: config.help, type, aggregator: 'sum', values };
  return metric as unknown as Exported;
}

/** A sample for JSON readers (`getMetricsAsJSON`): shared labels merged into the labels. */
function splayed(sample: Sample): Sample {
  if (sample.sharedLabels === undefined) return sample;
  const { sharedLabels, ...rest } = sample;
  return { ...rest, labels: { ...sample.labels, ...sharedLabels } };
}

/*
 * prom-client metrics whose samples are computed when the registry is read, instead of being
 * kept by prom-client: its `inc`/`observe` hash and validate the labels on every call, which
 * costs more than a whole resilient call, and a `collect()` that re-fills them costs as much
 * per series at every scrape. These keep the registry's names, types, help and format, and
 * the samples come straight from plain numbers. `getForPromString` is what the registry calls
 * for the text format, `get` what it calls for JSON. Pays for the BENCHMARKS.md rows "`wrap`,
 * balanced, Prometheus exporter attached ÷ the same call without" and "Prometheus scrape".
 */

export class ScrapedCounter extends Counter<string> {
  constructor(private readonly config: ScrapedConfig) {
    super({ name: config.name, help: config.help, labelNames: config.labelNames, registers: [] });
    config.registry.registerMetric(this);
  }
  getForPromString(): Promise<Exported> {
    return Promise.resolve(exported(this.config, 'counter', this.config.read()));
  }
  override get(): Promise<Exported> {
    return Promise.resolve(exported(this.config, 'counter', this.config.read().map(splayed)));
  }
}

export class ScrapedGauge extends Gauge<string> {
  constructor(private readonly config: ScrapedConfig) {
    super({ name: config.name, help: config.help, labelNames: config.labelNames, registers: [] });
    config.registry.registerMetric(this);
  }
  getForPromString(): Promise<Exported> {
    return Promise.resolve(exported(this.config, 'gauge', this.config.read()));
  }
  override get(): Promise<Exported> {
    return Promise.resolve(exported(this.config, 'gauge', this.config.read().map(splayed)));
  }
}

export class ScrapedHistogram extends Histogram<string> {
  constructor(private readonly config: ScrapedConfig & { readonly buckets: readonly number[] }) {
    super({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      buckets: [...config.buckets],
      registers: [],
    });
    config.registry.registerMetric(this);
  }
  getForPromString(): Promise<Exported> {
    return Promise.resolve(exported(this.config, 'histogram', this.config.read()));
  }
  override get(): Promise<Exported> {
    return Promise.resolve(exported(this.config, 'histogram', this.config.read().map(splayed)));
  }
}
