import type { ExecutionContext, Provenance, StreamOpener } from '../policy.js';

/**
 * What an attempt's signal is made from. Its `AbortController` is created only when the
 * function reads the signal: a controller costs more than a whole fast call, and a function
 * that never looks at its signal cannot be told to stop anyway (BENCHMARKS.md "hedge,
 * primary answers first").
 */
export interface AttemptState {
  readonly parent: ExecutionContext;
  controller: AbortController | undefined;
  abortedWith: { reason: unknown } | undefined;
}

/** The attempt's signal, created on first read (already aborted if the attempt or the caller was). */
export function attemptSignal(state: AttemptState): AbortSignal {
  if (state.controller === undefined) {
    state.controller = new AbortController();
    const parentSignal = state.parent.signal;
    if (state.abortedWith !== undefined) state.controller.abort(state.abortedWith.reason);
    else if (parentSignal.aborted) state.controller.abort(parentSignal.reason);
  }
  return state.controller.signal;
}

/** Stops the attempt: its signal aborts with `reason` (now, or when it is first read). */
export function abortAttempt(state: AttemptState, reason: unknown): void {
  if (state.abortedWith !== undefined) return;
  state.abortedWith = { reason };
  state.controller?.abort(reason);
}

/** An attempt of a hedged call: its signal, and where it stands among the call's attempts. */
export interface Attempt extends ExecutionContext {
  /** When the attempt started (clock ms). */
  readonly startedAt: number;
  /** The attempt started before this one, if any. */
  readonly previous: Attempt | undefined;
  abort(reason: unknown): void;
}

/**
 * The context of a hedge (an attempt after the first; the first is the call itself). The
 * caller's attempt number and operation are read through from the caller's context.
 */
export class AttemptContext implements Attempt, AttemptState {
  controller: AbortController | undefined = undefined;
  abortedWith: { reason: unknown } | undefined = undefined;

  constructor(
    readonly parent: ExecutionContext,
    readonly provenance: Provenance | undefined,
    readonly startedAt: number,
    readonly previous: Attempt,
  ) {}

  get attempt(): number {
    return this.parent.attempt;
  }

  get operation(): string | undefined {
    return this.parent.operation;
  }

  get streamOpener(): StreamOpener | undefined {
    return this.parent.streamOpener;
  }

  get signal(): AbortSignal {
    return attemptSignal(this);
  }

  abort(reason: unknown): void {
    abortAttempt(this, reason);
  }
}
