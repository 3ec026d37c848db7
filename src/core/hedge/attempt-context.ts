import type { ExecutionContext, Provenance, StreamOpener } from '../policy.js';

/** An attempt of a hedged call: its signal, and where it stands among the call's attempts. */
export interface Attempt extends ExecutionContext {
  /** When the attempt started (clock ms). */
  readonly startedAt: number;
  /** The attempt started before this one, if any. */
  readonly previous: Attempt | undefined;
  abort(reason: unknown): void;
}

/**
 * What an attempt's context holds for `shareAttemptAccessors`: the caller's context, and what
 * its own signal is made from. Its `AbortController` is created only when the function reads
 * the signal: a controller costs more than a whole fast call, and a function that never looks
 * at its signal cannot be told to stop anyway (BENCHMARKS.md "hedge, primary answers first").
 */
export interface AttemptState {
  readonly parent: ExecutionContext;
  controller: AbortController | undefined;
  abortedWith: { reason: unknown } | undefined;
}

/** What `shareAttemptAccessors` puts on a class's prototype (the class merges this interface). */
export interface AttemptAccessors {
  readonly attempt: number;
  readonly operation: string | undefined;
  readonly streamOpener: StreamOpener | undefined;
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
}

const attemptAccessors: ThisType<AttemptState> & PropertyDescriptorMap = {
  attempt: {
    get(this: AttemptState): number {
      return this.parent.attempt;
    },
  },
  operation: {
    get(this: AttemptState): string | undefined {
      return this.parent.operation;
    },
  },
  streamOpener: {
    get(this: AttemptState): StreamOpener | undefined {
      return this.parent.streamOpener;
    },
  },
  /** The attempt's signal, created on first read (already aborted if the attempt or the caller was). */
  signal: {
    get(this: AttemptState): AbortSignal {
      if (this.controller === undefined) {
        this.controller = new AbortController();
        const parentSignal = this.parent.signal;
        if (this.abortedWith !== undefined) this.controller.abort(this.abortedWith.reason);
        else if (parentSignal.aborted) this.controller.abort(parentSignal.reason);
      }
      return this.controller.signal;
    },
  },
  /** Stops the attempt: its signal aborts with `reason` (now, or when it is first read). */
  abort: {
    value(this: AttemptState, reason: unknown): void {
      if (this.abortedWith !== undefined) return;
      this.abortedWith = { reason };
      this.controller?.abort(reason);
    },
  },
};

/**
 * Gives the instances of `cls` what every attempt's context reads through from the caller's
 * (attempt number, operation, stream opener) and their own lazy signal and `abort`; the class
 * merges `AttemptAccessors` into its type. Accessors put on both classes' prototypes rather than inherited
 * from a base class: a derived class's construction measured 5-15 % slower per call in
 * BENCHMARKS.md "hedge, primary answers first" (CPU time, same-process A/B).
 */
export function shareAttemptAccessors(cls: abstract new (...args: never[]) => AttemptState): void {
  Object.defineProperties(cls.prototype, attemptAccessors);
}

// Its accessors are put on the prototype by `shareAttemptAccessors`.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface AttemptContext extends AttemptAccessors {}

/** The context of a hedge (an attempt after the first; the first is the call itself). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class AttemptContext implements Attempt, AttemptState {
  static {
    shareAttemptAccessors(this);
  }
  controller: AbortController | undefined = undefined;
  abortedWith: { reason: unknown } | undefined = undefined;

  constructor(
    readonly parent: ExecutionContext,
    readonly provenance: Provenance | undefined,
    readonly startedAt: number,
    readonly previous: Attempt,
  ) {}
}
