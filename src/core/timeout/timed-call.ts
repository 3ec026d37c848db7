import { abortReason } from '../abort.js';
import {
  LazyContext,
  abortSource,
  callerAbort,
  followAbort,
  unfollowAbort,
  type AbortFollower,
} from '../call-context.js';
import type { ExecutionContext, Provenance, StreamOpener } from '../policy.js';
import type { QueuedDeadline } from './deadline-queue.js';

/** What a timed call needs from the policy that runs it. */
export interface TimedCallOwner {
  /** Takes `call` out of the deadline queue: it settled, or the caller aborted, before its deadline. */
  release(call: TimedCall): void;
  /** Queues the end of a cut-short call's grace, due in `delayMs`. */
  startGrace(grace: QueuedDeadline, delayMs: number): void;
  /** A grace ended: its call settled (`queued`: the entry is still in the queue) or it ran out. */
  endGrace(grace: QueuedDeadline, queued: boolean): void;
  /** The policy's clock. */
  now(): number;
  /** Builds the error for a call that ran past its deadline, and reports the timeout. */
  timedOut(call: TimedCall): unknown;
}

/**
 * One call through a timeout policy: its entry in the policy's deadline queue, and the
 * context the protected function receives.
 *
 * The function's `signal` is created on first read, so a function that never looks at it
 * costs no AbortController and no listener (BENCHMARKS.md "timeout (cooperative)" against
 * "timeout, fn reads signal"). Read before the call is cut short, it is linked
 * to the caller's signal (the listener is this object, removed when the call settles); read
 * after, it comes already aborted with the reason. Being an accessor, it is not copied by
 * `{ ...ctx }`: pass the context on, or read `ctx.signal`.
 */
export abstract class TimedCall extends LazyContext implements QueuedDeadline, AbortFollower {
  readonly attempt: number;
  readonly operation: string | undefined;
  readonly provenance: Provenance | undefined;
  readonly streamOpener: StreamOpener | undefined;
  /** True while the call waits in the deadline queue. */
  pending = true;
  earlier: QueuedDeadline | undefined = undefined;
  later: QueuedDeadline | undefined = undefined;
  /** Why the call was cut short (its TimeoutError or the caller's reason); undefined until then. */
  protected reason: unknown = undefined;
  private controller: AbortController | undefined = undefined;
  private ownSignal: AbortSignal | undefined = undefined;
  /** The caller's signal while this call listens to it. */
  private listenedTo: AbortSignal | undefined = undefined;

  constructor(
    protected readonly owner: TimedCallOwner,
    /** The caller's context. */
    protected readonly parent: ExecutionContext,
    readonly deadline: number,
    /** How long the call was given (its deadline, from when it started). */
    readonly ms: number,
  ) {
    super();
    this.attempt = parent.attempt;
    this.operation = parent.operation;
    this.provenance = parent.provenance;
    this.streamOpener = parent.streamOpener;
  }

  get signal(): AbortSignal {
    return this.ownSignal ?? (this.ownSignal = this.createSignal());
  }

  /** Why this call, or its caller, was cut short; undefined while neither was. */
  abortedWith(): unknown {
    return this.reason !== undefined ? this.reason : callerAbort(this.parent);
  }

  /** A timed call can always be cut short: by its deadline. */
  abortSource(): AbortSignal {
    return this.signal;
  }

  canAbort(): boolean {
    return true;
  }

  /** A compact form for logs: the queue links and the policy are no one's business. */
  toJSON(): { attempt: number; operation: string | undefined } {
    return { attempt: this.attempt, operation: this.operation };
  }

  private createSignal(): AbortSignal {
    const aborted = this.abortedWith();
    if (aborted !== undefined) return AbortSignal.abort(aborted);
    // Settled normally: nothing can abort this call any more (a signal of its own all the
    // same, so that listeners added to it go with the call).
    if (!this.pending) return new AbortController().signal;
    const controller = new AbortController();
    this.controller = controller;
    this.listen();
    return controller.signal;
  }

  /** Follows the caller's signal (this object is the follower: no closure per call; BENCHMARKS.md "timeout (cooperative)"). */
  protected listen(): void {
    if (this.listenedTo !== undefined) return;
    const outer = abortSource(this.parent);
    if (outer === undefined) return;
    this.listenedTo = outer;
    followAbort(outer, this);
  }

  private unlisten(): void {
    const outer = this.listenedTo;
    if (outer === undefined) return;
    this.listenedTo = undefined;
    unfollowAbort(outer, this);
  }

  /** The caller's signal aborted while the call was pending. */
  handleEvent(): void {
    this.cutShort(abortReason(this.listenedTo ?? this.parent.signal));
    this.owner.release(this);
  }

  /** The deadline passed while the call was pending; the queue has already dropped it. */
  expire(): void {
    const callerReason = callerAbort(this.parent);
    this.cutShort(callerReason !== undefined ? callerReason : this.owner.timedOut(this));
  }

  /** The call stops being pending without being cut short. */
  protected settle(): void {
    if (this.pending) {
      this.pending = false;
      this.owner.release(this);
    }
    this.unlisten();
  }

  private cutShort(reason: unknown): void {
    this.pending = false;
    this.reason = reason;
    this.unlisten();
    this.controller?.abort(reason);
    this.controller = undefined;
    this.onCutShort(reason);
  }

  /** What the mode does when the call is cut short (aggressive: reject the caller at once). */
  protected abstract onCutShort(reason: unknown): void;

  /** The queue's time `delayMs` from now. */
  protected deadlineAfter(delayMs: number): number {
    return this.owner.now() + delayMs;
  }
}

/**
 * How long a cooperative call may still take once cut short: a second, later entry of the
 * deadline queue, made only for calls that ran out of time.
 */
class GraceDeadline implements QueuedDeadline {
  earlier: QueuedDeadline | undefined = undefined;
  later: QueuedDeadline | undefined = undefined;

  constructor(
    readonly deadline: number,
    private readonly call: CooperativeCall<unknown>,
  ) {}

  expire(): void {
    this.call.graceOver();
  }
}

/**
 * A timed call that answers its caller through a promise of its own: at once when cut short
 * (aggressive), or once the function settled after being cut short but no later than its
 * grace allows (cooperative).
 */
abstract class AnsweringCall<T> extends TimedCall {
  private resolveCaller: ((value: T) => void) | undefined = undefined;
  private rejectCaller: ((reason: unknown) => void) | undefined = undefined;
  /** Set once the caller has its answer. */
  protected answered = false;

  /** Registers the caller's promise. */
  start(resolve: (value: T) => void, reject: (reason: unknown) => void): void {
    this.resolveCaller = resolve;
    this.rejectCaller = reject;
  }

  protected answer(failed: boolean, outcome: unknown): void {
    if (this.answered) return;
    this.answered = true;
    if (failed) this.rejectCaller?.(outcome);
    else this.resolveCaller?.(outcome as T);
  }
}

/**
 * Cooperative mode: at the deadline the function's signal aborts and the caller waits for
 * the function to settle, then learns it timed out. A function that ignores its signal
 * cannot hold the caller for ever: after `graceMs` the caller is answered all the same.
 */
export class CooperativeCall<T> extends AnsweringCall<T> {
  private grace: GraceDeadline | undefined = undefined;

  constructor(
    owner: TimedCallOwner,
    parent: ExecutionContext,
    deadline: number,
    ms: number,
    private readonly graceMs: number,
  ) {
    super(owner, parent, deadline, ms);
  }

  fulfilled(value: T): void {
    this.finished(false, value);
  }

  rejected(error: unknown): void {
    this.finished(true, error);
  }

  /** The grace after the deadline is over: the caller hears of the timeout now. */
  graceOver(): void {
    const grace = this.grace;
    if (grace === undefined) return;
    this.grace = undefined;
    this.owner.endGrace(grace, false);
    this.answer(true, this.reason);
  }

  private finished(failed: boolean, outcome: unknown): void {
    this.settle();
    const grace = this.grace;
    if (grace !== undefined) {
      this.grace = undefined;
      this.owner.endGrace(grace, true);
    }
    const aborted = this.abortedWith();
    if (aborted !== undefined) this.answer(true, aborted);
    else this.answer(failed, outcome);
  }

  protected onCutShort(): void {
    // The function sees its signal abort; the caller waits for it, within the grace.
    if (this.answered || this.graceMs === Infinity) return;
    const grace = new GraceDeadline(
      this.deadlineAfter(this.graceMs),
      this as CooperativeCall<unknown>,
    );
    this.grace = grace;
    this.owner.startGrace(grace, this.graceMs);
  }
}

/** Aggressive mode: the caller's promise settles at the deadline or the caller's abort. */
export class AggressiveCall<T> extends AnsweringCall<T> {
  /** Follows the caller's signal from the start, to answer an abort at once. */
  override start(resolve: (value: T) => void, reject: (reason: unknown) => void): void {
    super.start(resolve, reject);
    this.listen();
  }

  fulfilled(value: T): void {
    if (!this.pending) return;
    this.settle();
    this.answer(false, value);
  }

  rejected(error: unknown): void {
    if (!this.pending) return;
    this.settle();
    this.answer(true, error);
  }

  protected onCutShort(reason: unknown): void {
    this.answer(true, reason);
  }
}
