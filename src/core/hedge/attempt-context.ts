import type { ExecutionContext, Provenance } from '../policy.js';

/**
 * The context of one hedged attempt. Its signal is created only when the function reads it:
 * an `AbortController` costs more than a whole fast call, and a function that never looks at
 * its signal cannot be told to stop anyway.
 */
export class AttemptContext implements ExecutionContext {
  /** When the attempt started (clock ms). */
  startedAt = 0;
  private controller: AbortController | undefined;
  private abortedWith: { reason: unknown } | undefined;

  constructor(
    private readonly parentSignal: AbortSignal,
    readonly attempt: number,
    readonly operation: string | undefined,
    readonly provenance: Provenance | undefined,
  ) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortedWith !== undefined) this.controller.abort(this.abortedWith.reason);
      else if (this.parentSignal.aborted) this.controller.abort(this.parentSignal.reason);
    }
    return this.controller.signal;
  }

  /** Stops this attempt: its signal aborts with `reason` (now, or when it is first read). */
  abort(reason: unknown): void {
    if (this.abortedWith !== undefined) return;
    this.abortedWith = { reason };
    this.controller?.abort(reason);
  }
}
