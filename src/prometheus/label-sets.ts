/** A series' labels, made once and reused by every scrape. */
export type LabelSet = Readonly<Record<string, string>>;

/** The label sets of one `operation` label: `{ operation }` and that plus other labels. */
export class OperationLabelSets {
  readonly operation: LabelSet;
  private readonly extended = new Map<string, LabelSet>();
  private readonly single = new Map<string, Map<string, LabelSet>>();
  private readonly bucketSets = new Map<string, readonly LabelSet[]>();

  constructor(operation: string) {
    this.operation = { operation };
  }

  /** `{ operation, [name]: value }`, the same object each time: the common case of `with`, without building a key. */
  one(name: string, value: string): LabelSet {
    let byValue = this.single.get(name);
    if (byValue === undefined) {
      byValue = new Map();
      this.single.set(name, byValue);
    }
    let set = byValue.get(value);
    if (set === undefined) {
      set = { ...this.operation, [name]: value };
      byValue.set(value, set);
    }
    return set;
  }

  /** `{ operation, ...labels }`, the same object each time for the same labels. */
  with(labels: LabelSet): LabelSet {
    let key = '';
    for (const name in labels) key += `${name}=${labels[name] ?? ''}\u0000`;
    let set = this.extended.get(key);
    if (set === undefined) {
      set = { ...this.operation, ...labels };
      this.extended.set(key, set);
    }
    return set;
  }

  /** A histogram series' bucket label sets, `{ operation, outcome, le }` for each bound. */
  buckets(outcome: string, bounds: readonly string[]): readonly LabelSet[] {
    let sets = this.bucketSets.get(outcome);
    if (sets === undefined) {
      sets = bounds.map((le) => ({ ...this.operation, outcome, le }));
      this.bucketSets.set(outcome, sets);
    }
    return sets;
  }
}

/**
 * Label objects kept across scrapes. prom-client writes a sample's `sharedLabels` through a
 * cache keyed by the object, so a series whose label object stays the same is escaped and
 * joined once rather than at every scrape. Bounded like the labels themselves.
 */
export class LabelSetCache {
  private readonly byOperation = new Map<string, OperationLabelSets>();

  of(operation: string): OperationLabelSets {
    let sets = this.byOperation.get(operation);
    if (sets === undefined) {
      sets = new OperationLabelSets(operation);
      this.byOperation.set(operation, sets);
    }
    return sets;
  }
}
