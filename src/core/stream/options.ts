import { systemClock, type Clock } from '../clock.js';
import { MAX_TIMER_MS, checkClock, checkNumber, optionalFunction } from '../option-checks.js';

/** The limits of a streaming call (SPEC §9); every field is optional. */
export interface StreamOptions<T = unknown> {
  /** How long an attempt may take to deliver its first chunk; past it the attempt fails (and may be retried). */
  readonly firstChunkMs?: number;
  /** After the first chunk, the longest wait for the next one; past it the stream is interrupted. */
  readonly idleMs?: number;
  /**
   * Whether the stream's last chunk marks a complete answer (a finish reason, `message_stop`).
   * When given, a stream that ends on any other chunk is interrupted, never ended cleanly.
   */
  readonly isComplete?: (lastChunk: T) => boolean;
  readonly clock?: Clock;
}

/** Checked stream limits, as the streaming machinery reads them. */
export interface StreamLimits {
  readonly firstChunkMs: number | undefined;
  readonly idleMs: number | undefined;
  readonly isComplete: ((lastChunk: never) => boolean) | undefined;
  readonly clock: Clock;
}

/** The limits of a stream run without a `stream()` policy: only the SPEC §9 phases, no deadline. */
export const NO_LIMITS: StreamLimits = {
  firstChunkMs: undefined,
  idleMs: undefined,
  isComplete: undefined,
  clock: systemClock,
};

const delay = (owner: string, option: string, value: unknown): number | undefined =>
  value === undefined
    ? undefined
    : checkNumber(owner, option, value, { min: 0, above: true, max: MAX_TIMER_MS });

/** Validates `options` (a `RangeError`/`TypeError` naming the option and the accepted range). */
export function streamLimits(owner: string, options: StreamOptions<never>): StreamLimits {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${owner}: options must be an object, got ${String(options)}`);
  }
  return {
    firstChunkMs: delay(owner, 'firstChunkMs', options.firstChunkMs),
    idleMs: delay(owner, 'idleMs', options.idleMs),
    isComplete: optionalFunction(owner, 'isComplete', options.isComplete),
    clock: checkClock(owner, options.clock) ?? systemClock,
  };
}
