import { abortReason } from '../abort.js';
import { abortSource, callerAbort } from '../call-context.js';
import type { Clock } from '../clock.js';
import { BulkheadRejectedError } from '../errors/index.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import type { RejectedEvent } from '../outcome-events.js';
import { checkInteger, checkOptions, checkClock } from '../option-checks.js';
import { BasePolicy, RUN, invoke, type ExecutionContext, type Operation } from '../policy.js';
import { LinkedList, type Linked } from '../linked-list.js';

export interface BulkheadOptions {
  /** Calls allowed to run at once (an integer ≥ 1). */
  readonly maxConcurrent: number;
  /** Calls allowed to wait for a slot, FIFO (an integer ≥ 0 or Infinity); default 0. */
  readonly maxQueue?: number;
  readonly clock?: Clock;
}

export interface BulkheadEvents {
  /** A call found every slot busy and the queue full (`executing`/`queued` say how busy, then). */
  rejected: RejectedEvent<BulkheadRejectedError>;
  /** A call waits for a slot; `queued` counts it. */
  queued: { readonly executing: number; readonly queued: number };
}

/** A call in a bulkhead's queue (FIFO; one that gives up leaves it at once, freeing its place). */
interface Waiter extends Linked<Waiter> {
  /** Called when the waiter gets a slot. */
  start(): void;
}

/** Limits how many calls run at once, with an optional FIFO queue whose waiters may give up. */
export class Bulkhead extends BasePolicy {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  private running = 0;
  private readonly waiters = new LinkedList<Waiter>();
  private events: EventHub<BulkheadEvents> | undefined;

  constructor(options: BulkheadOptions) {
    super(checkClock('bulkhead', checkOptions('bulkhead', options).clock));
    this.maxConcurrent = checkInteger('bulkhead', 'maxConcurrent', options.maxConcurrent, 1);
    this.maxQueue = checkInteger('bulkhead', 'maxQueue', options.maxQueue ?? 0, 0, true);
  }

  /** Calls running now. */
  get executing(): number {
    return this.running;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiters.size;
  }

  onRejected(listener: Listener<BulkheadEvents['rejected']>): Unsubscribe {
    return this.hub().on('rejected', listener);
  }

  onQueued(listener: Listener<BulkheadEvents['queued']>): Unsubscribe {
    return this.hub().on('queued', listener);
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return invoke(fn, ctx).then(this.releaseAfterValue, this.releaseAfterError);
    }
    const aborted = callerAbort(ctx);
    if (aborted !== undefined) return Promise.reject(aborted);
    if (this.waiters.size < this.maxQueue) return this.wait(fn, ctx);
    const error = new BulkheadRejectedError(this.maxConcurrent, this.maxQueue);
    this.events?.emit('rejected', { error, retryAfterMs: undefined });
    return Promise.reject(error);
  }

  private hub(): EventHub<BulkheadEvents> {
    return (this.events ??= new EventHub());
  }

  private readonly releaseAfterValue = <T>(value: T): T => {
    this.release();
    return value;
  };

  private readonly releaseAfterError = (error: unknown): never => {
    this.release();
    throw error;
  };

  /** Frees a slot, handing it straight to the longest waiter so newcomers cannot jump the queue. */
  private readonly release = (): void => {
    const next = this.waiters.shift();
    if (next === undefined) this.running--;
    else next.start();
  };

  private wait<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = new QueuedCall(this.waiters, this.release, fn, ctx, resolve, reject);
      this.waiters.push(waiter);
      const signal = abortSource(ctx);
      if (signal !== undefined) waiter.listen(signal);
      this.events?.emit('queued', { executing: this.running, queued: this.waiters.size });
    });
  }
}

/** A call waiting in the queue; when it gets a slot it runs and then hands the slot on. */
class QueuedCall<T> implements Waiter {
  prev: Waiter | undefined = undefined;
  next: Waiter | undefined = undefined;
  private onAbort: (() => void) | undefined;
  private listenedTo: AbortSignal | undefined;

  constructor(
    private readonly queue: LinkedList<Waiter>,
    /** Hands the slot on once the call has settled. */
    private readonly release: () => void,
    private readonly fn: Operation<T>,
    private readonly ctx: ExecutionContext,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** Leaves the queue at once, freeing its place, when the caller's signal aborts. */
  listen(signal: AbortSignal): void {
    this.listenedTo = signal;
    this.onAbort = () => {
      this.queue.remove(this);
      this.reject(abortReason(signal));
    };
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  start(): void {
    if (this.onAbort !== undefined) this.listenedTo?.removeEventListener('abort', this.onAbort);
    invoke(this.fn, this.ctx).then(
      (value) => {
        this.release();
        this.resolve(value);
      },
      (error: unknown) => {
        this.release();
        this.reject(error);
      },
    );
  }
}

/** A bulkhead: at most `maxConcurrent` calls at once, `maxQueue` more waiting in order. */
export function bulkhead(options: BulkheadOptions): Bulkhead {
  return new Bulkhead(options);
}
