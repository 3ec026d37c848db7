import { isPlainObject } from '../plain-object.js';

/** In a composed patch: a value that replaces what lies below it instead of merging into it. */
class Replacement {
  constructor(readonly value: unknown) {}
}

/**
 * One patch with the effect of `first` then `second` (JSON merge patches): applying it to any
 * base gives what applying both in turn would. Where `first` removed or replaced a value and
 * `second` patches it with an object, that object replaces the base's value, as it would have.
 */
export function composePatches(first: unknown, second: unknown): unknown {
  if (!isPlainObject(second)) return second;
  if (first instanceof Replacement) return new Replacement(mergePatch(first.value, second));
  if (first === undefined) return second;
  if (!isPlainObject(first)) return new Replacement(mergePatch(undefined, second));
  const composed: Record<string, unknown> = { ...first };
  for (const [key, value] of Object.entries(second)) {
    composed[key] = composePatches(first[key], value);
  }
  return composed;
}

/**
 * Applies a JSON Merge Patch (RFC 7386): objects merge key by key, `null` removes a key,
 * anything else replaces. Inputs are not modified. A patch made by `composePatches` may hold
 * replacements: each replaces what lies below it.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch instanceof Replacement) return patch.value;
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** A patch without its `preset` field: what a patch says besides naming the preset. */
export function withoutPreset(patch: unknown): unknown {
  if (!isPlainObject(patch) || !('preset' in patch)) return patch;
  const rest = { ...patch };
  delete rest['preset'];
  return rest;
}
