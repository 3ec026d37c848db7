/** A JSON-style object: not null, not an array. The one check every config walker uses. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Whether `over` merges into `under` key by key (rather than replacing it), for every
 * config walker alike: both are plain objects, and `over` does not name a different `kind`
 * (a constant backoff over an exponential one is a different thing, not a blend). An `over`
 * without a `kind` of its own tunes whatever `under` is.
 */
export function blends(under: unknown, over: unknown): under is Record<string, unknown> {
  return (
    isPlainObject(under) &&
    isPlainObject(over) &&
    (typeof over['kind'] !== 'string' || over['kind'] === under['kind'])
  );
}
