/** The longest delay `setTimeout` honours; anything longer fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export interface NumberRange {
  /** Smallest accepted value (inclusive unless `above`). */
  readonly min: number;
  /** Largest accepted finite value; defaults to no bound. */
  readonly max?: number;
  /** `min` itself is refused. */
  readonly above?: boolean;
  readonly integer?: boolean;
  /** `Infinity` is accepted too (meaning "no limit"). */
  readonly infinite?: boolean;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function describeRange(range: NumberRange): string {
  const kind = range.integer === true ? 'an integer' : 'a number';
  const lower = `${range.above === true ? '>' : '≥'} ${range.min}`;
  const upper = range.max === undefined ? '' : ` and ≤ ${range.max}`;
  const infinity = range.infinite === true ? ' (or Infinity)' : '';
  return `${kind} ${lower}${upper}${infinity}`;
}

/**
 * Reads a numeric option: `fallback` when absent (a `TypeError` if it is `'required'`),
 * else the value if it lies in `range`. Throws a `TypeError` (not a number) or
 * `RangeError` (out of range) naming the owner, the option, the accepted range and the
 * value received.
 */
export function numberOption(
  owner: string,
  option: string,
  value: unknown,
  fallback: number | 'required',
  range: NumberRange,
): number {
  if (value === undefined && fallback !== 'required') return fallback;
  const problem = `${owner}: ${option} must be ${describeRange(range)}, got ${describeValue(value)}`;
  if (typeof value !== 'number') throw new TypeError(problem);
  if (value === Infinity && range.infinite === true) return value;
  const inRange =
    Number.isFinite(value) &&
    (range.above === true ? value > range.min : value >= range.min) &&
    (range.max === undefined || value <= range.max) &&
    (range.integer !== true || Number.isInteger(value));
  if (!inRange) throw new RangeError(problem);
  return value;
}

/** Checks that a required option is a function. */
export function functionOption(owner: string, option: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new TypeError(`${owner}: ${option} must be a function, got ${describeValue(value)}`);
  }
}

/** Checks an optional callback: absent, or a function. */
export function optionalFunction(owner: string, option: string, value: unknown): void {
  if (value !== undefined) functionOption(owner, option, value);
}
