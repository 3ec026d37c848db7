/** Call durations in seconds, from a cache hit to a long LLM completion. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

/** An exporter's `buckets` option: absent (the default bounds), or increasing positive seconds. */
export function checkBuckets(owner: string, value: unknown): readonly number[] {
  if (value === undefined) return DEFAULT_DURATION_BUCKETS;
  const expected = 'a non-empty array of increasing positive finite numbers (seconds)';
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`${owner}: buckets must be ${expected}, got ${JSON.stringify(value)}`);
  }
  const bounds = value as unknown[];
  bounds.forEach((bound, i) => {
    const previous = i === 0 ? 0 : (bounds[i - 1] as number);
    if (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= previous) {
      throw new RangeError(
        `${owner}: buckets must be ${expected}, got ${JSON.stringify(value)} (entry ${i})`,
      );
    }
  });
  return [...(bounds as number[])];
}
