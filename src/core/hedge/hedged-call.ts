import { abortReason } from '../abort.js';
import { abortSource, callerAbort } from '../call-context.js';
import { invoke, type ExecutionContext, type Operation, type Provenance } from '../policy.js';
import {
  AttemptContext,
  shareAttemptAccessors,
  type Attempt,
  type AttemptAccessors,
  type AttemptState,
} from './attempt-context.js';
import type { HedgeTiming } from './scheduler.js';
import { NOT_WAITING, type HedgeWaiter } from './waiter-list.js';

/** What a hedged call needs from its policy. */
export interface HedgeHost {
  readonly maxHedges: number;
  /** Stamps each attempt as it starts and schedules the call's next hedge. */
  readonly timing: HedgeTiming;
  hedgeStarted(attempt: number, delayMs: number): void;
  /** Whether `answered` wants latencies (percentile mode); otherwise the clock is not read for it. */
  readonly tracksLatency: boolean;
  now(): number;
  /** Whether a failure leaves room for another attempt; if not, the call fails with it at once. */
  hedgeable(error: unknown): boolean;
  /** A winning attempt took `ms`. */
  answered(ms: number): void;
}

const lostReason = (): DOMException =>
  new DOMException('another hedged attempt answered first', 'AbortError');

const attemptProvenance = (parent: ExecutionContext): Provenance | undefined =>
  parent.provenance === undefined
    ? undefined
    : { attempts: 0, fromFallback: false, source: 'primary' };

// Its accessors are put on the prototype by `shareAttemptAccessors` (`T` is the class's).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
export interface HedgedCall<T> extends AttemptAccessors {}

/**
 * One call under a hedge: its attempts, their errors, and the promise the caller awaits.
 * The call is its first attempt's context too (one object less per call: BENCHMARKS.md
 * "hedge, primary answers first"); each hedge gets an `AttemptContext`. Each attempt records
 * its own provenance; the winner's is copied to the call's.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class HedgedCall<T> implements HedgeWaiter, Attempt, AttemptState {
  static {
    shareAttemptAccessors(this);
  }
  deadline = NOT_WAITING;
  prev: HedgeWaiter | undefined = undefined;
  next: HedgeWaiter | undefined = undefined;
  startedAt = 0;
  controller: AbortController | undefined = undefined;
  abortedWith: { reason: unknown } | undefined = undefined;
  readonly provenance: Provenance | undefined;
  /** The attempt started last; each links to the one before it, down to the call itself. */
  private latest: Attempt = this;
  private launched = 1;
  private errors: unknown[] | undefined = undefined;
  private running = 1;
  private settled = false;
  private onParentAbort: (() => void) | undefined = undefined;
  private listenedTo: AbortSignal | undefined = undefined;

  constructor(
    private readonly host: HedgeHost,
    private readonly fn: Operation<T>,
    readonly parent: ExecutionContext,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.provenance = attemptProvenance(parent);
  }

  /** The first attempt has none before it (a getter: one field less per call; see the class). */
  get previous(): undefined {
    return undefined;
  }

  start(): void {
    const signal = abortSource(this.parent);
    if (signal !== undefined) {
      this.listenedTo = signal;
      this.onParentAbort = () => this.parentAborted();
      signal.addEventListener('abort', this.onParentAbort, { once: true });
    }
    // Scheduled before the function runs, so that its synchronous part does not push the hedge back.
    this.startedAt = this.host.timing.begin(this, true);
    this.run(this);
  }

  hedgeDue(): void {
    if (this.settled || callerAbort(this.parent) !== undefined) return;
    const parent = this.parent;
    const previous = this.latest;
    this.launched++;
    this.running++;
    const startedAt = this.host.timing.begin(this, this.launched <= this.host.maxHedges);
    const ctx = new AttemptContext(parent, attemptProvenance(parent), startedAt, previous);
    this.latest = ctx;
    this.run(ctx);
    this.host.hedgeStarted(this.launched, startedAt - previous.startedAt);
  }

  private run(attempt: Attempt): void {
    invoke(this.fn, attempt).then(
      (value) => this.succeeded(attempt, value),
      (error: unknown) => this.failed(error),
    );
  }

  private succeeded(attempt: Attempt, value: T): void {
    if (this.settled) return;
    this.finish(attempt);
    if (this.host.tracksLatency) this.host.answered(this.host.now() - attempt.startedAt);
    const won = attempt.provenance;
    const into = this.parent.provenance;
    if (won !== undefined && into !== undefined) {
      into.fromFallback = won.fromFallback;
      into.source = won.source;
      if (won.ageMs === undefined) delete into.ageMs;
      else into.ageMs = won.ageMs;
    }
    this.resolve(value);
  }

  private failed(error: unknown): void {
    if (this.settled) return;
    let hedgeable: boolean;
    try {
      hedgeable = this.host.hedgeable(error);
    } catch (thrown) {
      // A throwing `on` fails the call with its error, rather than leaving it unsettled.
      this.finish(undefined);
      this.reject(thrown);
      return;
    }
    if (!hedgeable) {
      this.finish(undefined);
      this.reject(error);
      return;
    }
    (this.errors ??= []).push(error);
    this.running--;
    if (this.running > 0) return;
    // Nothing else is running: hedge at once if a hedge is left, else the call has failed.
    if (this.launched <= this.host.maxHedges && callerAbort(this.parent) === undefined) {
      this.host.timing.unschedule(this);
      this.hedgeDue();
      return;
    }
    this.finish(undefined);
    const errors = this.errors;
    this.reject(new AggregateError(errors, `hedge: all ${errors.length} attempts failed`));
  }

  private parentAborted(): void {
    if (this.settled) return;
    const reason = callerAbort(this.parent) ?? abortReason(this.parent.signal);
    this.finish(undefined, reason);
    this.reject(reason);
  }

  /** Settles the call: no more hedges, no listener on the caller's signal, other attempts aborted. */
  private finish(winner: Attempt | undefined, reason?: unknown): void {
    this.settled = true;
    if (this.deadline !== NOT_WAITING) this.host.timing.unschedule(this);
    if (this.onParentAbort !== undefined) {
      this.listenedTo?.removeEventListener('abort', this.onParentAbort);
    }
    if (this.launched === 1 && winner !== undefined) return;
    const why = reason ?? lostReason();
    for (
      let attempt: Attempt | undefined = this.latest;
      attempt !== undefined;
      attempt = attempt.previous
    ) {
      if (attempt !== winner) attempt.abort(why);
    }
  }
}
