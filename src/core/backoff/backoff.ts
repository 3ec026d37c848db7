/**
 * A backoff answers one question: how long to wait after attempt `attempt` failed, before
 * attempt `attempt + 1`. It is pure: the same arguments (and the same random source) give
 * the same delay.
 */
export interface Backoff {
  /**
   * @param attempt the attempt that just failed: 1 after the first call
   * @param previousDelayMs the delay used before that attempt (0 after the first call);
   *   decorrelated jitter grows from it
   * @param error what the attempt failed with (`undefined` when a result was rejected)
   */
  delayMs(attempt: number, previousDelayMs: number, error: unknown): number;
  /** No delay exceeds this; retry also caps a server's `Retry-After` with it. */
  readonly maxMs: number;
}

/** A custom backoff as a plain function of the failed attempt and its error. */
export type BackoffFunction = (attempt: number, error: unknown) => number;

/** A source of uniform numbers in [0, 1), `Math.random` by default; inject one for determinism. */
export type RandomSource = () => number;
