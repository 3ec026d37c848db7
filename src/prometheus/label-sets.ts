/** A series' labels, made once and reused by every scrape. */
export type LabelSet = Readonly<Record<string, string>>;

/** One series of a metric, made once: its name, its labels and the start of its exposition line. */
export interface Series {
  /** The sample's name: the metric's, or a histogram's `_bucket`, `_sum`, `_count`. */
  readonly metricName: string;
  readonly labels: LabelSet;
  /** `name{a="x",b="y"} ` as the text format writes it (values escaped), the value to follow. */
  readonly line: string;
}

/** A label value as the text format writes it (prom-client's escaping: `\`, newline, `"`). */
const escapeValue = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function seriesOf(metricName: string, labels: LabelSet): Series {
  let text = '';
  for (const name in labels) {
    text += `${text === '' ? '' : ','}${name}="${escapeValue(labels[name] ?? '')}"`;
  }
  // Joined rather than concatenated: a flat string, copied as one piece into every scrape's text.
  const line = (text === '' ? [metricName, ' '] : [metricName, '{', text, '} ']).join('');
  return { metricName, labels, line };
}

/** The series of one metric name and `operation` label: `{ operation }` and that plus other labels. */
export class OperationSeries {
  readonly operation: Series;
  private readonly extended = new Map<string, Series>();
  private readonly single = new Map<string, Map<string, Series>>();
  private readonly bucketSeries = new Map<string, readonly Series[]>();

  constructor(
    private readonly metricName: string,
    operation: string,
  ) {
    this.operation = seriesOf(metricName, { operation });
  }

  /** `{ operation, [name]: value }`, the same object each time: the common case of `with`, without building a key. */
  one(name: string, value: string): Series {
    let byValue = this.single.get(name);
    if (byValue === undefined) {
      byValue = new Map();
      this.single.set(name, byValue);
    }
    let series = byValue.get(value);
    if (series === undefined) {
      series = seriesOf(this.metricName, { ...this.operation.labels, [name]: value });
      byValue.set(value, series);
    }
    return series;
  }

  /** `{ operation, ...labels }`, the same object each time for the same labels. */
  with(labels: LabelSet): Series {
    let key = '';
    for (const name in labels) key += `${name}=${labels[name] ?? ''}\u0000`;
    let series = this.extended.get(key);
    if (series === undefined) {
      series = seriesOf(this.metricName, { ...this.operation.labels, ...labels });
      this.extended.set(key, series);
    }
    return series;
  }

  /** A histogram series' bucket series, `{ operation, outcome, le }` for each bound. */
  buckets(outcome: string, bounds: readonly string[]): readonly Series[] {
    let series = this.bucketSeries.get(outcome);
    if (series === undefined) {
      series = bounds.map((le) =>
        seriesOf(this.metricName, { ...this.operation.labels, outcome, le }),
      );
      this.bucketSeries.set(outcome, series);
    }
    return series;
  }
}

/**
 * One metric name's series, kept across scrapes so that a series' line is escaped and joined
 * once rather than at every scrape (about 2 kB per operation label for all the metrics).
 * Bounded like the `operation` label itself.
 */
export class SeriesCache {
  private readonly byOperation = new Map<string, OperationSeries>();

  constructor(private readonly metricName: string) {}

  of(operation: string): OperationSeries {
    let series = this.byOperation.get(operation);
    if (series === undefined) {
      series = new OperationSeries(this.metricName, operation);
      this.byOperation.set(operation, series);
    }
    return series;
  }
}
