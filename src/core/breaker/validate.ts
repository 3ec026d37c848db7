/** Option checks whose messages name the option, the accepted range and the value given. */

const show = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

export function integerAtLeast(where: string, option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${where}: ${option} must be an integer ≥ ${min}, got ${show(value)}`);
  }
  return value;
}

export function finiteAtLeast(where: string, option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(
      `${where}: ${option} must be a finite number ≥ ${min}, got ${show(value)}`,
    );
  }
  return value;
}

/** A rate in (0, 1]. */
export function rate(where: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new RangeError(`${where}: ${option} must be a number in (0, 1], got ${show(value)}`);
  }
  return value;
}

export function functionOrUndefined(where: string, option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${where}: ${option} must be a function, got ${show(value)}`);
  }
}
