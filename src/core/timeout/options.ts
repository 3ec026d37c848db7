import type { Clock } from '../clock.js';
import { MAX_TIMER_MS, checkClock, checkNumber, fail, numberOption } from '../option-checks.js';

/** `'cooperative'`: abort the function's signal and wait for it; `'aggressive'`: reject at once. */
export type TimeoutMode = 'cooperative' | 'aggressive';

/**
 * A deadline that follows the operation: `percentile` of the last `window` successful
 * latencies × `multiplier`, kept within `[minMs, maxMs]`; `maxMs` until `minSamples`
 * successes have been seen.
 */
export interface AdaptiveTimeoutOptions {
  /** Which latency percentile to start from, 1–100. Default 99. */
  readonly percentile?: number;
  /** How far past that latency a call may run: ≥ 1. Default 1.5. */
  readonly multiplier?: number;
  /** The shortest deadline, in milliseconds. */
  readonly minMs: number;
  /** The longest deadline, and the deadline until enough samples were seen. */
  readonly maxMs: number;
  /** How many recent successes are remembered. Default 100. */
  readonly window?: number;
  /** How many successes are needed before the deadline adapts. Default 20 (at most `window`). */
  readonly minSamples?: number;
}

export interface TimeoutOptions {
  /** How long one call may run, in milliseconds (unless `adaptive` says). */
  readonly ms?: number;
  /** Derives each call's deadline from recent successful latencies instead of a fixed `ms`. */
  readonly adaptive?: AdaptiveTimeoutOptions;
  /** Default `'cooperative'`. */
  readonly mode?: TimeoutMode;
  /**
   * Cooperative only: how long past its deadline the caller waits for a function to stop
   * once its signal aborted, after which the caller gets its TimeoutError all the same (a
   * function that ignores its signal cannot hold its caller for ever). Default: the call's
   * own deadline (`ms`); `Infinity` waits for the function however long it takes.
   */
  readonly graceMs?: number;
  /** Where deadlines are read from; default `Date.now()`. */
  readonly clock?: Clock;
}

export interface ValidAdaptive {
  readonly percentile: number;
  readonly multiplier: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly window: number;
  readonly minSamples: number;
}

export interface ValidTimeoutOptions {
  /** The fixed deadline, or the adaptive one's `maxMs`. */
  readonly ms: number;
  readonly adaptive: ValidAdaptive | undefined;
  readonly mode: TimeoutMode;
  readonly graceMs: number | undefined;
  readonly clock: Clock | undefined;
}

const OWNER = 'timeout';
const MS_RANGE = { min: 0, above: true, max: MAX_TIMER_MS } as const;

function validateAdaptive(given: unknown): ValidAdaptive {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail(
      OWNER,
      'adaptive',
      '{ minMs, maxMs, percentile?, multiplier?, window?, minSamples? }',
      given,
    );
  }
  const options = given as AdaptiveTimeoutOptions;
  const minMs = checkNumber(OWNER, 'adaptive.minMs', options.minMs, MS_RANGE);
  const maxMs = checkNumber(OWNER, 'adaptive.maxMs', options.maxMs, {
    min: minMs,
    max: MAX_TIMER_MS,
  });
  const percentile = numberOption(OWNER, 'adaptive.percentile', options.percentile, 99, {
    min: 0,
    above: true,
    max: 100,
  });
  const multiplier = numberOption(OWNER, 'adaptive.multiplier', options.multiplier, 1.5, {
    min: 1,
  });
  const window = numberOption(OWNER, 'adaptive.window', options.window, 100, {
    min: 1,
    max: 100_000,
    integer: true,
  });
  const minSamples = numberOption(
    OWNER,
    'adaptive.minSamples',
    options.minSamples,
    Math.min(20, window),
    { min: 1, max: window, integer: true },
  );
  return { percentile, multiplier, minMs, maxMs, window, minSamples };
}

/** Checks every option, naming the option, the value and the accepted range on failure. */
export function validateTimeoutOptions(options: TimeoutOptions | number): ValidTimeoutOptions {
  const given: unknown = typeof options === 'number' ? { ms: options } : options;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail(OWNER, 'options', 'a number of milliseconds or { ms, mode?, clock? }', given);
  }
  const { ms, adaptive, mode = 'cooperative', graceMs, clock } = given as TimeoutOptions;
  if (mode !== 'cooperative' && mode !== 'aggressive') {
    fail(OWNER, 'mode', "'cooperative' or 'aggressive'", mode);
  }
  if (graceMs !== undefined) {
    checkNumber(OWNER, 'graceMs', graceMs, { min: 0, max: MAX_TIMER_MS, infinite: true });
  }
  const common = { mode, graceMs, clock: checkClock(OWNER, clock) };
  if (adaptive !== undefined) {
    if (ms !== undefined) {
      fail(OWNER, 'ms', 'no ms with adaptive (its maxMs is the longest deadline)', ms);
    }
    const valid = validateAdaptive(adaptive);
    return { ms: valid.maxMs, adaptive: valid, ...common };
  }
  checkNumber(OWNER, 'ms', ms, MS_RANGE);
  return { ms: ms as number, adaptive: undefined, ...common };
}
