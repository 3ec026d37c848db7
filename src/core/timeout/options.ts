import type { Clock } from '../clock.js';
import { MAX_TIMER_MS, checkClock, checkNumber, fail } from '../option-checks.js';

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

export interface ValidTimeoutOptions {
  readonly ms: number;
  readonly mode: TimeoutMode;
  readonly clock: Clock | undefined;
}

/** Checks every option, naming the option, the value and the accepted range on failure. */
export function validateTimeoutOptions(options: TimeoutOptions | number): ValidTimeoutOptions {
  const given: unknown = typeof options === 'number' ? { ms: options } : options;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail('timeout', 'options', 'a number of milliseconds or { ms, mode?, clock? }', given);
  }
  const { ms, mode = 'cooperative', clock } = given as TimeoutOptions;
  checkNumber('timeout', 'ms', ms, { min: 0, above: true, max: MAX_TIMER_MS });
  if (mode !== 'cooperative' && mode !== 'aggressive') {
    fail('timeout', 'mode', "'cooperative' or 'aggressive'", mode);
  }
  return { ms, mode, clock: checkClock('timeout', clock) };
}
