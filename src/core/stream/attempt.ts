import type { Context } from '../policy.js';

/**
 * What a streaming function gets: its attempt's number and a signal made only when read. A
 * function that never looks at its signal cannot be told to stop anyway, and an
 * `AbortSignal` costs several microseconds on Node 20 ("Streams" in BENCHMARKS.md); one that
 * reads it after the attempt was called off gets it already aborted.
 */
export class StreamAttempt implements Context {
  private controller: AbortController | undefined = undefined;
  private abortedWith: { reason: unknown } | undefined = undefined;

  constructor(
    readonly attempt: number,
    readonly operation: string | undefined,
  ) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortedWith !== undefined) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  /** Calls the attempt off: its signal aborts with `reason` (now, or when first read). */
  abort(reason: unknown): void {
    if (this.abortedWith !== undefined) return;
    this.abortedWith = { reason };
    this.controller?.abort(reason);
  }
}
