import type { Backoff, BackoffFunction, RandomSource } from './backoff.js';
import { applyJitter, validateJitter, type Jitter } from './jitter.js';
import { checkNonNegative, checkNumber, fail, optionalFunction } from '../option-checks.js';

export interface ExponentialOptions {
  /** Delay after the first failure. Default 1000. */
  readonly initialMs?: number;
  /** Growth per attempt (≥ 1). Default 2. */
  readonly multiplier?: number;
  /** Cap on every delay, jitter included. Default 30_000. */
  readonly maxMs?: number;
  /** Default 0.1 (±10 %). */
  readonly jitter?: Jitter;
  readonly random?: RandomSource;
}

/** `maxMs` (default 30 s), never below `initialMs`. */
const checkCap = (owner: string, maxMs: number | undefined, initialMs: number): number =>
  checkNumber(owner, 'maxMs', maxMs ?? 30_000, { min: initialMs, infinite: true });

const randomOf = (owner: string, options: { readonly random?: RandomSource }): RandomSource =>
  optionalFunction(owner, 'random', options.random) ?? Math.random;

/** A delay that grows with the attempt (`base`, from `initialMs`), jittered, never above `maxMs`. */
function growing(
  base: (attempt: number) => number,
  initialMs: number,
  maxMs: number,
  jitter: Jitter,
  random: RandomSource,
): Backoff {
  return {
    maxMs,
    delayMs: (attempt, previousDelayMs) =>
      Math.min(
        maxMs,
        applyJitter(jitter, Math.min(maxMs, base(attempt)), initialMs, previousDelayMs, random),
      ),
  };
}

/**
 * `initialMs × multiplier^(attempt − 1)`, jittered, never above `maxMs`. With no options it
 * is retry's default: 1 s, 2 s, 4 s … capped at 30 s, ±10 %.
 */
export function exponential(options: ExponentialOptions = {}): Backoff {
  const owner = 'exponential';
  const initialMs = checkNonNegative(owner, 'initialMs', options.initialMs ?? 1000);
  const multiplier = checkNumber(owner, 'multiplier', options.multiplier ?? 2, { min: 1 });
  const maxMs = checkCap(owner, options.maxMs, initialMs);
  const jitter = validateJitter(owner, options.jitter ?? 0.1);
  return growing(
    (attempt) => initialMs * multiplier ** Math.max(0, attempt - 1),
    initialMs,
    maxMs,
    jitter,
    randomOf(owner, options),
  );
}

export interface ConstantOptions {
  /** Default 'none'; only a fraction, 'full' or 'equal' make sense for a constant delay. */
  readonly jitter?: Jitter;
  readonly random?: RandomSource;
}

/** The same delay after every failure (± jitter, never above `delayMs × (1 + fraction)`). */
export function constant(delayMs: number, options: ConstantOptions = {}): Backoff {
  const owner = 'constant';
  checkNonNegative(owner, 'delayMs', delayMs);
  const jitter = validateJitter(owner, options.jitter ?? 'none');
  const random = randomOf(owner, options);
  const maxMs = typeof jitter === 'number' ? delayMs * (1 + jitter) : delayMs;
  return {
    maxMs,
    delayMs: (_attempt, previousDelayMs) =>
      Math.min(maxMs, applyJitter(jitter, delayMs, delayMs, previousDelayMs, random)),
  };
}

export interface LinearOptions {
  /** Delay after the first failure. Default 1000. */
  readonly initialMs?: number;
  /** Added per further attempt. Default `initialMs`. */
  readonly stepMs?: number;
  /** Default 30_000. */
  readonly maxMs?: number;
  /** Default 'none'. */
  readonly jitter?: Jitter;
  readonly random?: RandomSource;
}

/** `initialMs + stepMs × (attempt − 1)`, jittered, never above `maxMs`. */
export function linear(options: LinearOptions = {}): Backoff {
  const owner = 'linear';
  const initialMs = checkNonNegative(owner, 'initialMs', options.initialMs ?? 1000);
  const stepMs = checkNonNegative(owner, 'stepMs', options.stepMs ?? initialMs);
  const maxMs = checkCap(owner, options.maxMs, initialMs);
  const jitter = validateJitter(owner, options.jitter ?? 'none');
  return growing(
    (attempt) => initialMs + stepMs * Math.max(0, attempt - 1),
    initialMs,
    maxMs,
    jitter,
    randomOf(owner, options),
  );
}

/**
 * Turns a function `(attempt, error) => ms` into a backoff. Its answers are clamped into
 * [0, `maxMs`] (default unbounded), and a non-number becomes 0.
 */
export function customBackoff(
  fn: BackoffFunction,
  options: { readonly maxMs?: number } = {},
): Backoff {
  if (typeof fn !== 'function')
    fail('customBackoff', 'fn', 'a function (attempt, error) => ms', fn);
  const maxMs = checkNumber('customBackoff', 'maxMs', options.maxMs ?? Infinity, {
    min: 0,
    infinite: true,
  });
  return {
    maxMs,
    delayMs(attempt, _previousDelayMs, error) {
      const ms = fn(attempt, error);
      return typeof ms === 'number' && ms > 0 ? Math.min(maxMs, ms) : 0;
    },
  };
}
