import type { Clock } from '../clock.js';

/** `'cooperative'`: abort the function's signal and wait for it; `'aggressive'`: reject at once. */
export type TimeoutMode = 'cooperative' | 'aggressive';

export interface TimeoutOptions {
  /** How long one call may run, in milliseconds. */
  readonly ms: number;
  /** Default `'cooperative'`. */
  readonly mode?: TimeoutMode;
  /** Where deadlines are read from; default `Date.now()`. */
  readonly clock?: Clock;
}

/** The longest delay `setTimeout` honours; a larger one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

export interface ValidTimeoutOptions {
  readonly ms: number;
  readonly mode: TimeoutMode;
  readonly clock: Clock | undefined;
}

/** Checks every option, naming the option, the value and the accepted range on failure. */
export function validateTimeoutOptions(options: TimeoutOptions | number): ValidTimeoutOptions {
  const given: unknown = typeof options === 'number' ? { ms: options } : options;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) invalidOptions(given);
  const { ms, mode = 'cooperative', clock } = given as TimeoutOptions;
  if (typeof ms !== 'number') {
    throw new TypeError(`timeout: ms must be a number of milliseconds, got ${describe(ms)}`);
  }
  if (!(ms > 0 && ms <= MAX_TIMER_MS)) {
    throw new RangeError(
      `timeout: ms must be a number > 0 and ≤ ${MAX_TIMER_MS}, got ${describe(ms)}`,
    );
  }
  if (mode !== 'cooperative' && mode !== 'aggressive') {
    throw new TypeError(
      `timeout: mode must be 'cooperative' or 'aggressive', got ${describe(mode)}`,
    );
  }
  if (clock !== undefined && typeof (clock as Partial<Clock> | null)?.now !== 'function') {
    throw new TypeError(
      `timeout: clock must be an object with a now() method, got ${describe(clock)}`,
    );
  }
  return { ms, mode, clock };
}

function invalidOptions(value: unknown): never {
  throw new TypeError(
    `timeout: expects a number of milliseconds or { ms, mode?, clock? }, got ${describe(value)}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
