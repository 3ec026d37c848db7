/** Throws unless `value` is a finite number ≥ `min`; the message names the option and the range. */
export function requireNumber(
  owner: string,
  option: string,
  value: unknown,
  min: number,
  { allowInfinity = false }: { allowInfinity?: boolean } = {},
): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${owner}: ${option} must be a number, got ${String(value)}`);
  }
  if (value < min || (!allowInfinity && !Number.isFinite(value))) {
    const range = allowInfinity ? `a number ≥ ${min} (or Infinity)` : `a finite number ≥ ${min}`;
    throw new RangeError(`${owner}: ${option} must be ${range}, got ${value}`);
  }
  return value;
}

export function requireRandom(owner: string, random: unknown): () => number {
  if (random === undefined) return Math.random;
  if (typeof random !== 'function') {
    throw new TypeError(
      `${owner}: random must be a function returning [0, 1), got ${typeof random}`,
    );
  }
  return random as () => number;
}

/** A value as an error message shows it: objects by their type, the rest as written. */
export function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
