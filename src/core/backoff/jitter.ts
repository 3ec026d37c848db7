import { checkNumber, fail } from '../option-checks.js';
import type { RandomSource } from './backoff.js';

/**
 * How a delay is randomised so that clients that failed together do not retry together:
 * - `'none'`: the delay itself;
 * - `'full'`: uniform in [0, delay];
 * - `'equal'`: uniform in [delay / 2, delay];
 * - `'decorrelated'`: uniform in [initial, 3 × previous delay] (AWS's "decorrelated jitter"),
 *   so each delay grows from the one actually used rather than from the attempt number;
 * - a fraction `f` in [0, 1]: uniform in [delay × (1 − f), delay × (1 + f)].
 */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated' | number;

const MODES: readonly string[] = ['none', 'full', 'equal', 'decorrelated'];

export function validateJitter(owner: string, jitter: unknown): Jitter {
  if (typeof jitter === 'number') return checkNumber(owner, 'jitter', jitter, { min: 0, max: 1 });
  if (typeof jitter === 'string' && MODES.includes(jitter)) return jitter as Jitter;
  return fail(owner, 'jitter', "'none', 'full', 'equal', 'decorrelated' or a fraction", jitter);
}

/** Growth bound of decorrelated jitter, as in the AWS Architecture Blog's formula. */
const DECORRELATED_GROWTH = 3;

/** Applies `jitter` to `delay`; `initialMs` and `previousMs` serve the decorrelated mode. */
export function applyJitter(
  jitter: Jitter,
  delay: number,
  initialMs: number,
  previousMs: number,
  random: RandomSource,
): number {
  switch (jitter) {
    case 'none':
      return delay;
    case 'full':
      return random() * delay;
    case 'equal':
      return delay / 2 + (random() * delay) / 2;
    case 'decorrelated': {
      // The first retry grows from `initialMs`, as if it had been the previous delay.
      const upper = Math.max(initialMs, (previousMs || initialMs) * DECORRELATED_GROWTH);
      return initialMs + random() * (upper - initialMs);
    }
    default:
      return delay * (1 + jitter * (2 * random() - 1));
  }
}
