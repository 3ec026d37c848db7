/**
 * Constructor-time option checks shared by every policy, store and strategy. Each failure
 * throws a `TypeError` (a value of the wrong kind) or a `RangeError` (a number out of range)
 * whose message reads `<owner>: <option> must be <what is accepted>, got <value>`.
 */

/** The longest delay `setTimeout` honours; anything longer fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A value as an error message shows it: strings quoted, objects by their kind. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** Throws a `TypeError` for a value of the wrong kind, explaining what was expected. */
export function fail(owner: string, option: string, expected: string, value: unknown): never {
  throw new TypeError(`${owner}: ${option} must be ${expected}, got ${show(value)}`);
}

/** Throws a `RangeError` for a number out of range (a `TypeError` for a value that is no number). */
export function failRange(owner: string, option: string, expected: string, value: unknown): never {
  if (typeof value !== 'number') fail(owner, option, expected, value);
  throw new RangeError(`${owner}: ${option} must be ${expected}, got ${show(value)}`);
}

/** Throws a `RangeError` for a name not among `choices` (a `TypeError` for a value that is no string). */
export function failChoice(
  owner: string,
  option: string,
  choices: readonly string[],
  value: unknown,
): never {
  const expected = `one of ${choices.map((choice) => `'${choice}'`).join(', ')}`;
  if (typeof value !== 'string') fail(owner, option, expected, value);
  throw new RangeError(`${owner}: ${option} must be ${expected}, got ${show(value)}`);
}

export interface NumberRange {
  /** Smallest accepted value (inclusive unless `above`). */
  readonly min: number;
  /** Largest accepted finite value; no bound by default. */
  readonly max?: number;
  /** `min` itself is refused. */
  readonly above?: boolean;
  readonly integer?: boolean;
  /** `Infinity` is accepted too (meaning "no limit"). */
  readonly infinite?: boolean;
}

/** `an integer ≥ 1`, `a finite number > 0`, `a number ≥ 0 and ≤ 1 (or Infinity)`… */
function describeRange(range: NumberRange): string {
  const bounded = range.max !== undefined || range.infinite === true;
  const kind = range.integer === true ? 'an integer' : bounded ? 'a number' : 'a finite number';
  const lower = `${range.above === true ? '>' : '≥'} ${range.min}`;
  const upper = range.max === undefined ? '' : ` and ≤ ${range.max}`;
  const infinity = range.infinite === true ? ' (or Infinity)' : '';
  return `${kind} ${lower}${upper}${infinity}`;
}

/** A number in `range`; a `TypeError` for no number, a `RangeError` for one out of range. */
export function checkNumber(
  owner: string,
  option: string,
  value: unknown,
  range: NumberRange,
): number {
  if (typeof value === 'number') {
    if (value === Infinity && range.infinite === true && range.min < Infinity) return value;
    const inRange =
      Number.isFinite(value) &&
      (range.above === true ? value > range.min : value >= range.min) &&
      (range.max === undefined || value <= range.max) &&
      (range.integer !== true || Number.isInteger(value));
    if (inRange) return value;
  }
  return failRange(owner, option, describeRange(range), value);
}

/** `fallback` when the option is absent, else the value checked against `range`. */
export function numberOption(
  owner: string,
  option: string,
  value: unknown,
  fallback: number,
  range: NumberRange,
): number {
  return value === undefined ? fallback : checkNumber(owner, option, value, range);
}

/** An integer ≥ `min`; `Infinity` too when `allowInfinity`. */
export function checkInteger(
  owner: string,
  option: string,
  value: unknown,
  min: number,
  allowInfinity = false,
): number {
  return checkNumber(owner, option, value, { min, integer: true, infinite: allowInfinity });
}

/** A finite number > 0. */
export function checkPositive(owner: string, option: string, value: unknown): number {
  return checkNumber(owner, option, value, { min: 0, above: true });
}

/** A finite number ≥ 0. */
export function checkNonNegative(owner: string, option: string, value: unknown): number {
  return checkNumber(owner, option, value, { min: 0 });
}

/** A probability: a number from 0 to 1. */
export function checkRate(owner: string, option: string, value: unknown): number {
  return checkNumber(owner, option, value, { min: 0, max: 1 });
}

/** A required callback. */
export function checkFunction<F>(owner: string, option: string, value: F): F {
  if (typeof value !== 'function') fail(owner, option, 'a function', value);
  return value;
}

/** An optional callback: absent, or a function. */
export function optionalFunction<F>(owner: string, option: string, value: F): F {
  if (value !== undefined) checkFunction(owner, option, value);
  return value;
}

/** An optional flag: `fallback` when absent, else a boolean. */
export function booleanOption(
  owner: string,
  option: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(owner, option, 'a boolean', value);
  return value;
}

/** A non-empty string. */
export function checkName(owner: string, option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(owner, option, 'a non-empty string', value);
  return value;
}

/**
 * A clock option: absent, or an object whose `now()` returns finite milliseconds. It is read
 * once here, so that a clock that cannot tell the time fails at construction, not mid-call.
 */
export function checkClock<C extends { now(): number } | undefined>(owner: string, value: C): C {
  if (value === undefined) return value;
  const expected = 'an object with a now() method returning finite milliseconds';
  const now: unknown =
    typeof value === 'object' && value !== null ? (value as { now?: unknown }).now : undefined;
  if (typeof now !== 'function') fail(owner, 'clock', expected, value);
  let reading: unknown;
  try {
    reading = (now as () => unknown).call(value);
  } catch (error) {
    throw new TypeError(`${owner}: clock.now() threw: ${String(error)}`, { cause: error });
  }
  if (typeof reading !== 'number' || !Number.isFinite(reading)) {
    fail(owner, 'clock.now()', 'finite milliseconds', reading);
  }
  return value;
}

/**
 * A factory's options argument: a plain object (an array, `null` or a number is refused up
 * front, before any option is read from it).
 */
export function checkOptions<O>(owner: string, value: O): O {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(owner, 'options', 'an options object', value);
  }
  return value;
}
