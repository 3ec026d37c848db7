import { abortReason } from './abort.js';
import type { Context, ExecutionContext, Provenance, StreamOpener } from './policy.js';

/**
 * A context whose `signal` is made only when someone reads it: an `AbortController` costs
 * more than a whole fast call, and a function that never looks at its signal cannot be told
 * to stop anyway. Policies ask it whether the call was cut short, and which signal to
 * follow, without making the signal.
 */
export abstract class LazyContext implements ExecutionContext {
  abstract readonly signal: AbortSignal;
  abstract readonly attempt: number;
  abstract readonly operation: string | undefined;
  abstract readonly provenance: Provenance | undefined;
  abstract readonly streamOpener: StreamOpener | undefined;
  /** Why the call (or its caller) was cut short; undefined while it was not. */
  abstract abortedWith(): unknown;
  /** The signal to listen to for this context's abort; undefined when nothing can abort it. */
  abstract abortSource(): AbortSignal | undefined;
  /**
   * Whether anything can abort this context (cheaper than `abortSource`: makes no signal;
   * BENCHMARKS.md "breaker, closed, success").
   */
  abstract canAbort(): boolean;
}

/** Whether anything can abort `ctx`: false only for a call started without a signal. */
export function canAbort(ctx: Context): boolean {
  return ctx instanceof LazyContext ? ctx.canAbort() : true;
}

/**
 * Something told when a followed signal aborts (an object, so that no closure is made per
 * call; BENCHMARKS.md "timeout + retry + breaker pipeline").
 */
export interface AbortFollower {
  handleEvent(): void;
}

/**
 * The followers of each caller's signal, behind ONE listener per signal: many calls in
 * flight under one signal (a server's shutdown signal, say) would otherwise put a listener
 * each on it and set off Node's MaxListenersExceededWarning past ten.
 */
const followers = new WeakMap<AbortSignal, Set<AbortFollower>>();

function notifyFollowers(this: AbortSignal): void {
  const set = followers.get(this);
  if (set === undefined) return;
  followers.delete(this);
  for (const follower of set) follower.handleEvent();
}

/** Tells `follower` when `signal` aborts, until `unfollowAbort`. */
export function followAbort(signal: AbortSignal, follower: AbortFollower): void {
  let set = followers.get(signal);
  if (set === undefined) {
    set = new Set();
    followers.set(signal, set);
    signal.addEventListener('abort', notifyFollowers, { once: true });
  }
  set.add(follower);
}

/** Stops telling `follower` about `signal`; the last follower to go removes the listener. */
export function unfollowAbort(signal: AbortSignal, follower: AbortFollower): void {
  const set = followers.get(signal);
  if (set === undefined || !set.delete(follower) || set.size > 0) return;
  followers.delete(signal);
  signal.removeEventListener('abort', notifyFollowers);
}

/** Why `ctx`'s call was cut short, or undefined while it was not, without making a lazy signal. */
export function callerAbort(ctx: Context): unknown {
  if (ctx instanceof LazyContext) return ctx.abortedWith();
  const signal = ctx.signal;
  return signal.aborted ? abortReason(signal) : undefined;
}

/** The signal that aborts `ctx`, or undefined when nothing can, without making a lazy signal. */
export function abortSource(ctx: Context): AbortSignal | undefined {
  return ctx instanceof LazyContext ? ctx.abortSource() : ctx.signal;
}

/**
 * The context a call starts with (`execute`, the orchestrator). Its signal is the call's own,
 * never shared with another call: clients such as the openai SDK add an abort listener to
 * the signal they are given and never remove it, and on a signal shared by every call those
 * listeners would pile up for the life of the process. Without a caller's signal it is a
 * fresh signal that nothing aborts (it goes with the call); with one, it follows the
 * caller's signal until `release()`, which the call's runner invokes once the call settled,
 * so nothing is left on the caller's signal either.
 */
export class CallContext extends LazyContext implements AbortFollower {
  readonly attempt = 1;
  private own: AbortSignal | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  private released = false;

  constructor(
    private readonly caller: AbortSignal | undefined,
    readonly operation: string | undefined,
    readonly provenance: Provenance | undefined,
  ) {
    super();
  }

  get signal(): AbortSignal {
    return this.own ?? (this.own = this.createSignal());
  }

  /** A streaming call starts from a context of its own (see `StreamIterator`), never this one. */
  get streamOpener(): undefined {
    return undefined;
  }

  abortedWith(): unknown {
    const caller = this.caller;
    return caller?.aborted === true ? abortReason(caller) : undefined;
  }

  abortSource(): AbortSignal | undefined {
    return this.caller;
  }

  canAbort(): boolean {
    return this.caller !== undefined;
  }

  /** The call settled: stop following the caller's signal. */
  release(): void {
    this.released = true;
    if (this.controller === undefined) return;
    this.controller = undefined;
    if (this.caller !== undefined) unfollowAbort(this.caller, this);
  }

  /** The caller's signal aborted while the call ran. */
  handleEvent(): void {
    const controller = this.controller;
    this.release();
    controller?.abort(this.abortedWith());
  }

  private createSignal(): AbortSignal {
    const caller = this.caller;
    if (caller?.aborted === true) return AbortSignal.abort(abortReason(caller));
    const controller = new AbortController();
    if (caller !== undefined && !this.released) {
      this.controller = controller;
      followAbort(caller, this);
    }
    return controller.signal;
  }
}

/** The context of a later attempt of the same call (a retry): the parent's signal, another number. */
export class NextAttemptContext extends LazyContext {
  constructor(
    /** The context of the call this attempt belongs to (a stream's openings follow it, see `StreamCallContext`). */
    readonly parent: ExecutionContext,
    readonly attempt: number,
  ) {
    super();
  }

  get signal(): AbortSignal {
    return this.parent.signal;
  }

  get operation(): string | undefined {
    return this.parent.operation;
  }

  get provenance(): Provenance | undefined {
    return this.parent.provenance;
  }

  get streamOpener(): StreamOpener | undefined {
    return this.parent.streamOpener;
  }

  abortedWith(): unknown {
    return callerAbort(this.parent);
  }

  abortSource(): AbortSignal | undefined {
    return abortSource(this.parent);
  }

  canAbort(): boolean {
    return canAbort(this.parent);
  }
}

/** `pending`, once it settled having released `ctx`'s hold on the caller's signal. */
export function releasedAfter<T>(ctx: CallContext, pending: Promise<T>): Promise<T> {
  return pending.finally(() => ctx.release());
}
