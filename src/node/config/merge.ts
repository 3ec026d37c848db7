import { blends, isPlainObject } from '../../core/plain-object.js';
/**
 * Layered merging with provenance: each layer is a raw configuration from one source, and
 * every leaf of the result remembers which source set it.
 */

export interface Layer {
  /** Where the values come from: `defaults`, `preset:production`, `file:app.yaml`, `env`, `runtime`. */
  readonly source: string;
  readonly config: unknown;
  /** Path → finer origin within the source (an env var's name), when there is one. */
  readonly origins?: ReadonlyMap<string, string>;
}

export type Tree = Record<string, unknown>;
/** Configuration path → the source (and origin) that set it. */
export type Sources = Map<string, string>;

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function forget(sources: Sources, path: string): void {
  for (const key of sources.keys()) {
    if (key === path || key.startsWith(`${path}.`)) sources.delete(key);
  }
}

function record(
  value: unknown,
  path: string,
  label: (path: string) => string,
  sources: Sources,
): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value))
      record(child, join(path, key), label, sources);
  } else {
    sources.set(path, label(path));
  }
}

/**
 * `over` merged onto `under`: objects merge key by key; anything else (a value, `false`
 * for "off", a function, an array) replaces; so does an object whose `kind` differs (a
 * constant backoff over an exponential one is a different thing, not a blend).
 */
export function mergeInto(
  under: unknown,
  over: unknown,
  path: string,
  label: (path: string) => string,
  sources: Sources,
): unknown {
  if (over === undefined) return under;
  const blend = blends(under, over);
  if (!blend) {
    // Only a replaced object leaves sources of its own below `path` to drop.
    if (isPlainObject(under)) forget(sources, path);
    record(over, path, label, sources);
    return isPlainObject(over) ? structuredCloneTree(over) : over;
  }
  const out: Tree = { ...under };
  for (const [key, value] of Object.entries(over as Tree)) {
    out[key] = mergeInto(under[key], value, join(path, key), label, sources);
  }
  return out;
}

/** A copy of the object structure (leaves, functions included, are shared). */
function structuredCloneTree(tree: Tree): Tree {
  const out: Tree = {};
  for (const [key, value] of Object.entries(tree))
    out[key] = isPlainObject(value) ? structuredCloneTree(value) : value;
  return out;
}

/** A label function for a layer: `env (API_RETRY_MAX)` when the layer knows the origin. */
export function labeller(layer: Layer, prefix: string): (path: string) => string {
  return (path) => {
    const origin = layer.origins?.get(`${prefix}${path}`);
    return origin === undefined ? layer.source : `${layer.source} (${origin})`;
  };
}

/**
 * `over` applied only where `under` already holds a value: how a higher source's
 * `defaults` replace what a lower source said about one operation, without pinning the
 * operation's other settings (those stay with `defaults`, below the code's own).
 */
export function overrideExisting(
  under: unknown,
  over: unknown,
  path: string,
  label: (path: string) => string,
  sources: Sources,
): unknown {
  if (over === undefined || under === undefined) return under;
  const blend = blends(under, over);
  if (!blend) return mergeInto(under, over, path, label, sources);
  const out: Tree = { ...under };
  for (const key of Object.keys(under)) {
    out[key] = overrideExisting(under[key], (over as Tree)[key], join(path, key), label, sources);
  }
  return out;
}
