import { abortReason, neverAbortedSignal } from '../abort.js';
import { invoke, type ExecutionContext, type Operation, type Provenance } from '../policy.js';
import { AttemptContext } from './attempt-context.js';
import type { HedgeWaiter } from './scheduler.js';

/** What a hedged call needs from its policy. */
export interface HedgeHost {
  readonly maxHedges: number;
  now(): number;
  /** The delay before the next hedge, in ms. */
  delay(): number;
  schedule(call: HedgeWaiter, deadline: number): void;
  unschedule(call: HedgeWaiter): void;
  hedgeStarted(attempt: number, delayMs: number): void;
  /** Whether `answered` wants latencies (percentile mode); otherwise the clock is not read for it. */
  readonly tracksLatency: boolean;
  /** A winning attempt took `ms`. */
  answered(ms: number): void;
}

const lostReason = (): DOMException =>
  new DOMException('another hedged attempt answered first', 'AbortError');

/** One call under a hedge: its attempts, their errors, and the promise the caller awaits. */
export class HedgedCall<T> implements HedgeWaiter {
  deadline = Infinity;
  inQueue = false;
  private readonly attempts: AttemptContext[] = [];
  private errors: unknown[] | undefined;
  private running = 0;
  private settled = false;
  private onParentAbort: (() => void) | undefined;

  constructor(
    private readonly host: HedgeHost,
    private readonly fn: Operation<T>,
    private readonly parent: ExecutionContext,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  start(): void {
    const signal = this.parent.signal;
    if (signal !== neverAbortedSignal) {
      this.onParentAbort = () => this.parentAborted();
      signal.addEventListener('abort', this.onParentAbort, { once: true });
    }
    const now = this.launch();
    if (!this.settled) this.scheduleNext(now);
  }

  hedgeDue(): void {
    if (this.settled || this.parent.signal.aborted) return;
    const previous = this.attempts.at(-1)?.startedAt ?? 0;
    const now = this.launch();
    this.host.hedgeStarted(this.attempts.length, now - previous);
    this.scheduleNext(now);
  }

  private scheduleNext(now: number): void {
    if (this.attempts.length <= this.host.maxHedges) {
      this.host.schedule(this, now + this.host.delay());
    }
  }

  /** Starts one more attempt and returns the clock reading it started at. */
  private launch(): number {
    const parent = this.parent;
    // Each attempt records its own provenance; the winner's is copied to the call's.
    const provenance: Provenance | undefined =
      parent.provenance === undefined
        ? undefined
        : { attempts: 0, fromFallback: false, source: 'primary' };
    const ctx = new AttemptContext(parent.signal, parent.attempt, parent.operation, provenance);
    const now = this.host.now();
    ctx.startedAt = now;
    this.attempts.push(ctx);
    this.running++;
    const index = this.attempts.length - 1;
    invoke(this.fn, ctx).then(
      (value) => this.succeeded(index, value),
      (error: unknown) => this.failed(error),
    );
    return now;
  }

  private succeeded(index: number, value: T): void {
    if (this.settled) return;
    this.finish(index);
    const attempt = this.attempts[index];
    if (this.host.tracksLatency) this.host.answered(this.host.now() - (attempt?.startedAt ?? 0));
    const won = attempt?.provenance;
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
    (this.errors ??= []).push(error);
    this.running--;
    if (this.running > 0) return;
    // Nothing else is running: hedge at once if a hedge is left, else the call has failed.
    if (this.attempts.length <= this.host.maxHedges && !this.parent.signal.aborted) {
      this.host.unschedule(this);
      this.hedgeDue();
      return;
    }
    this.finish(-1);
    const errors = this.errors;
    this.reject(new AggregateError(errors, `hedge: all ${errors.length} attempts failed`));
  }

  private parentAborted(): void {
    if (this.settled) return;
    const reason = abortReason(this.parent.signal);
    this.finish(-1, reason);
    this.reject(reason);
  }

  /** Settles the call: no more hedges, no listener on the caller's signal, other attempts aborted. */
  private finish(winner: number, reason?: unknown): void {
    this.settled = true;
    this.host.unschedule(this);
    if (this.onParentAbort !== undefined) {
      this.parent.signal.removeEventListener('abort', this.onParentAbort);
    }
    const attempts = this.attempts;
    if (attempts.length === 1 && winner === 0) return;
    const why = reason ?? lostReason();
    for (let i = 0; i < attempts.length; i++) {
      if (i !== winner) attempts[i]?.abort(why);
    }
  }
}
