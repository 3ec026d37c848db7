import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LabelSet, Series } from './label-sets.js';

/** One sample as prom-client's registry writes it; `sharedLabels` are written through its cache. */
interface Sample {
  readonly value: number;
  readonly labels: LabelSet;
  readonly sharedLabels?: LabelSet;
  readonly metricName?: string;
}

/** Adds one sample of this scrape: a series' value. */
export type Emit = (value: number, series: Series) => void;

export interface ScrapedConfig {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly registry: Registry;
  /** Emits the samples of this scrape, read from the tally and the breakers. */
  readonly read: (emit: Emit) => void;
}

type Exported = Awaited<ReturnType<Counter['get']>>;
const NO_LABELS: LabelSet = {};

/** A sample value as prom-client writes it. */
const valueText = (value: number): string =>
  Number.isNaN(value)
    ? 'Nan'
    : value === Infinity
      ? '+Inf'
      : value === -Infinity
        ? '-Inf'
        : `${value}`;

/**
 * Whether the registry writes samples exactly as `{name}{labels} {value}` lines: the
 * Prometheus text format and no default labels (which prom-client would add to every sample).
 * prom-client keeps its default labels in a private field; when it cannot be read as empty,
 * the samples go the registry's own way.
 */
function writesPlainLines(registry: Registry): boolean {
  const defaults = (registry as unknown as { _defaultLabels?: unknown })._defaultLabels;
  return (
    registry.contentType === Registry.PROMETHEUS_CONTENT_TYPE &&
    typeof defaults === 'object' &&
    defaults !== null &&
    Object.keys(defaults).length === 0
  );
}

/**
 * The samples as one sample whose name holds every line but the last value. prom-client's
 * registry writes each sample through label objects, arrays and joins, which for the ~25
 * series of each of 1,000 operations cost more than the scrape budget; here a series' text is
 * made once (see `Series`) and a line is one string per scrape. The registry still writes the
 * family (HELP, TYPE) and the last line: `${metricName} ${value}`.
 */
function asLines(config: ScrapedConfig): Sample[] {
  let text = '';
  let last: Series | undefined;
  let lastValue = 0;
  config.read((value, series) => {
    if (last !== undefined) text += `${last.line}${valueText(lastValue)}\n`;
    last = series;
    lastValue = value;
  });
  if (last === undefined) return [];
  // The registry adds the space and the value.
  text += last.line.slice(0, -1);
  return [{ value: lastValue, labels: NO_LABELS, metricName: text }];
}

/** The samples as prom-client's registry writes them itself (OpenMetrics, default labels). */
function asSamples(config: ScrapedConfig): Sample[] {
  const samples: Sample[] = [];
  config.read((value, { metricName, labels }) => {
    // The metric's own name goes unsaid: the registry then writes it as it writes the family's.
    samples.push(
      metricName === config.name
        ? { value, labels: NO_LABELS, sharedLabels: labels }
        : { value, labels: NO_LABELS, sharedLabels: labels, metricName },
    );
  });
  return samples;
}

/** The samples for JSON readers (`getMetricsAsJSON`, cluster aggregation): labels in `labels`. */
function asJson(config: ScrapedConfig): Sample[] {
  const samples: Sample[] = [];
  config.read((value, { metricName, labels }) => {
    samples.push(
      metricName === config.name
        ? { value, labels: { ...labels } }
        : { value, labels: { ...labels }, metricName },
    );
  });
  return samples;
}

/**
 * The metric's name now: the registry shortens a counter's name in place for OpenMetrics
 * (`_total` then goes on each sample), as it does for prom-client's own counters.
 */
const nameOf = (metric: object): string => (metric as { name: string }).name;

/** What prom-client's registry reads from a metric; its typings name `type` by an enum whose runtime value is this string. */
function exported(name: string, help: string, type: string, values: readonly Sample[]): Exported {
  const metric = { name, help, type, aggregator: 'sum', values };
  return metric as unknown as Exported;
}

function forText(metric: object, config: ScrapedConfig, type: string): Promise<Exported> {
  const name = nameOf(metric);
  const plain = name === config.name && writesPlainLines(config.registry);
  const values = plain ? asLines(config) : asSamples(config);
  return Promise.resolve(exported(name, config.help, type, values));
}

function forJson(metric: object, config: ScrapedConfig, type: string): Promise<Exported> {
  return Promise.resolve(exported(nameOf(metric), config.help, type, asJson(config)));
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
    return forText(this, this.config, 'counter');
  }
  override get(): Promise<Exported> {
    return forJson(this, this.config, 'counter');
  }
}

export class ScrapedGauge extends Gauge<string> {
  constructor(private readonly config: ScrapedConfig) {
    super({ name: config.name, help: config.help, labelNames: config.labelNames, registers: [] });
    config.registry.registerMetric(this);
  }
  getForPromString(): Promise<Exported> {
    return forText(this, this.config, 'gauge');
  }
  override get(): Promise<Exported> {
    return forJson(this, this.config, 'gauge');
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
    return forText(this, this.config, 'histogram');
  }
  override get(): Promise<Exported> {
    return forJson(this, this.config, 'histogram');
  }
}
