import { blends, isPlainObject } from '../../core/plain-object.js';

/**
 * A JSON merge patch taking `from` to `to`: only what changed, `null` for what was
 * removed. Applying only the file's own changes keeps runtime updates made since on
 * other settings.
 */
export function mergePatchBetween(from: unknown, to: unknown): unknown {
  if (!isPlainObject(from) || !isPlainObject(to)) return to;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    const before = from[key];
    if (blends(before, value)) {
      const inner = mergePatchBetween(before, value);
      if (isPlainObject(inner) && Object.keys(inner).length > 0) patch[key] = inner;
    } else if (!Object.is(before, value)) {
      patch[key] = value;
    }
  }
  return patch;
}
