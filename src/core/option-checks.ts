/**
 * Constructor-time option checks shared by the policies: each throws a `RangeError` or
 * `TypeError` whose message names the policy, the option, the value and what is accepted.
 */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** Throws a `TypeError` (a `RangeError` for a number out of range) explaining what was expected. */
export function fail(policy: string, option: string, expected: string, value: unknown): never {
  const message = `${policy}: ${option} must be ${expected}, got ${show(value)}`;
  throw new TypeError(message);
}

export function failRange(policy: string, option: string, expected: string, value: unknown): never {
  if (typeof value !== 'number') fail(policy, option, expected, value);
  throw new RangeError(`${policy}: ${option} must be ${expected}, got ${show(value)}`);
}

/** An integer ≥ `min`; `Infinity` too when `allowInfinity`. */
export function checkInteger(
  policy: string,
  option: string,
  value: unknown,
  min: number,
  allowInfinity = false,
): number {
  const ok =
    typeof value === 'number' &&
    value >= min &&
    (Number.isInteger(value) || (allowInfinity && value === Infinity));
  if (!ok)
    failRange(policy, option, `an integer ≥ ${min}${allowInfinity ? ' or Infinity' : ''}`, value);
  return value;
}

/** A finite number > 0. */
export function checkPositive(policy: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    failRange(policy, option, 'a finite number > 0', value);
  }
  return value;
}

/** A finite number ≥ 0. */
export function checkNonNegative(policy: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    failRange(policy, option, 'a finite number ≥ 0', value);
  }
  return value;
}

/** A probability: a number from 0 to 1. */
export function checkRate(policy: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    failRange(policy, option, 'a number from 0 to 1', value);
  }
  return value;
}

export function checkFunction<F>(policy: string, option: string, value: F): F {
  if (typeof value !== 'function') fail(policy, option, 'a function', value);
  return value;
}

/** A clock option: absent, or an object with a `now()` method. */
export function checkClock(
  policy: string,
  value: { now(): number } | undefined,
): { now(): number } | undefined {
  if (value !== undefined && typeof (value as Partial<{ now: unknown }>).now !== 'function') {
    fail(policy, 'clock', 'an object with a now() method', value);
  }
  return value;
}
