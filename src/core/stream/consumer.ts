import { abortReason } from '../abort.js';
import { StreamInterruptedError, TimeoutError } from '../errors/classes.js';
import type { Operation } from '../policy.js';
import { StreamCallContext } from './call-context.js';
import { forget } from './close.js';
import { LimitedOpener, openSource, type StreamOperation, type StreamSource } from './open.js';
import { OpenedStream } from './opened-stream.js';
import type { StreamLimits } from './options.js';
import { StallTimer, type StallWatched } from './stall-timer.js';

/** Runs one attempt-opening operation through the policies; answers an opened stream, or a fallback's source. */
export type StreamRunner = (
  open: Operation<OpenedStream<unknown>>,
  ctx: StreamCallContext,
) => Promise<unknown>;

const IDLE = 0;
const OPENING = 1;
const STREAMING = 2;
const DONE = 3;
type Phase = typeof IDLE | typeof OPENING | typeof STREAMING | typeof DONE;

const END: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
const ended = (): Promise<IteratorReturnResult<undefined>> => Promise.resolve(END);
const stopped = (): DOMException =>
  new DOMException('the consumer stopped reading the stream', 'AbortError');

/**
 * The consumer's side of one streaming call (SPEC §9). The first `next()` runs the call
 * through the policies until an attempt delivers its first chunk (or a fallback answers
 * with a stream); from then on chunks pass straight through, watched for stalls (one timer,
 * see `StallTimer`), errors and an incomplete end — each thrown as `StreamInterruptedError`
 * and reported to the policies that wait for the outcome (a breaker). `return()` (a
 * `break`) and the caller's signal close the source and abort the attempt.
 */
export class StreamIterator<T> implements AsyncIterableIterator<T>, StallWatched {
  private phase: Phase = IDLE;
  private opened: OpenedStream<T> | undefined = undefined;
  /** `opened.iterator`, one read less per chunk ("Streams" in BENCHMARKS.md). */
  private source: AsyncIterator<T> | undefined = undefined;
  private chunks = 0;
  private last: T | undefined = undefined;
  private stall: StallTimer | undefined = undefined;
  /** Why the caller's signal stopped the stream: every later `next()` rejects with it, never a clean end. */
  private abortedWith: { reason: unknown } | undefined = undefined;
  private resolveNext: ((result: IteratorResult<T>) => void) | undefined = undefined;
  private rejectNext: ((error: unknown) => void) | undefined = undefined;
  /** The call's context as the policies see it: stopped by the caller's signal and the consumer's `return()`. */
  private call: StreamCallContext | undefined = undefined;
  private readonly capture = (
    resolve: (result: IteratorResult<T>) => void,
    reject: (error: unknown) => void,
  ): void => {
    this.resolveNext = resolve;
    this.rejectNext = reject;
  };
  private readonly onChunk = (result: IteratorResult<T>): void => this.chunk(result);
  private readonly onError = (error: unknown): void => {
    if (this.phase === STREAMING) this.interrupt('error', error);
  };

  constructor(
    private readonly run: StreamRunner,
    private readonly fn: StreamOperation<T>,
    private readonly caller: AbortSignal | undefined,
    private readonly limits: StreamLimits,
    private readonly operation: string | undefined,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    // The per-chunk path first, on two reads ("Streams" in BENCHMARKS.md).
    if (this.phase === STREAMING && this.resolveNext === undefined) return this.pull();
    if (this.resolveNext !== undefined || this.phase === OPENING) {
      return Promise.reject(new TypeError('next() called before the previous next() settled'));
    }
    if (this.phase === DONE) {
      return this.abortedWith === undefined ? ended() : Promise.reject(this.abortedWith.reason);
    }
    return this.start();
  }

  return(): Promise<IteratorResult<T>> {
    if (this.phase === DONE) return ended();
    const reason = stopped();
    const resolve = this.resolveNext;
    const closing = this.cancel(reason);
    resolve?.(END);
    return closing.then(ended);
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    const reason = abortReason(this.caller as AbortSignal);
    this.abortedWith = { reason };
    const reject = this.rejectNext;
    forget(this.cancel(reason));
    reject?.(reason);
  }

  private start(): Promise<IteratorResult<T>> {
    const caller = this.caller;
    if (caller?.aborted === true) {
      this.phase = DONE;
      return Promise.reject(abortReason(caller));
    }
    this.phase = OPENING;
    caller?.addEventListener('abort', this, { once: true });
    const opener = new LimitedOpener(this.limits);
    const call = new StreamCallContext(caller, this.operation, opener);
    opener.call = this.call = call;
    const open: Operation<OpenedStream<unknown>> = (attempt) =>
      openSource(this.fn, attempt, this.limits, call);
    return this.run(open, call).then(
      (answer) => this.answered(answer),
      (error: unknown) => this.failedToOpen(error),
    );
  }

  /** The policies answered: an attempt's opened stream, or a fallback's source, opened here. */
  private answered(answer: unknown): Promise<IteratorResult<T>> | IteratorResult<T> {
    if (answer instanceof OpenedStream) return this.adopt(answer as OpenedStream<T>);
    const call = this.call as StreamCallContext;
    return openSource(() => answer as StreamSource<T>, call, this.limits, call).then(
      (opened) => this.adopt(opened),
      (error: unknown) => this.failedToOpen(error),
    );
  }

  private adopt(opened: OpenedStream<T>): IteratorResult<T> {
    if (this.phase === DONE) {
      // The consumer left while the call was opening.
      const reason = stopped();
      forget(opened.close(reason));
      opened.settle(false, reason);
      return END;
    }
    opened.adopt();
    this.opened = opened;
    this.source = opened.iterator;
    this.phase = STREAMING;
    const { idleMs } = this.limits;
    if (idleMs !== undefined) this.stall = new StallTimer(idleMs, this);
    const first = opened.first;
    if (first.done === true) {
      this.finish();
      return END;
    }
    this.chunks = 1;
    this.last = first.value;
    return first;
  }

  private failedToOpen(error: unknown): never {
    this.phase = DONE;
    this.caller?.removeEventListener('abort', this);
    throw error;
  }

  /** For the idle timer: a wait is on exactly while the consumer's promise is ours to settle. */
  currentWait(): number {
    return this.resolveNext === undefined ? -1 : this.chunks;
  }

  stalled(idleMs: number): void {
    if (this.phase === STREAMING) this.interrupt('stalled', new TimeoutError(idleMs));
  }

  private pull(): Promise<IteratorResult<T>> {
    const iterator = this.source as AsyncIterator<T>;
    this.stall?.waiting(this.chunks);
    // The consumer's promise is ours to settle (a stall or a stop settles it before the
    // source does); one executor made per stream keeps the per-chunk cost to that promise.
    const next = new Promise<IteratorResult<T>>(this.capture);
    let pending: Promise<IteratorResult<T>>;
    try {
      pending = iterator.next();
    } catch (error) {
      this.onError(error);
      return next;
    }
    pending.then(this.onChunk, this.onError);
    return next;
  }

  private chunk(result: IteratorResult<T>): void {
    const resolve = this.resolveNext;
    // Settled already: a stall or a stop came first (every end clears it).
    if (resolve === undefined) return;
    if (result.done !== true) {
      this.chunks++;
      this.last = result.value;
      this.resolveNext = this.rejectNext = undefined;
      resolve(result);
      return;
    }
    const incomplete = this.incomplete();
    if (incomplete !== undefined) return this.interrupt(incomplete.reason, incomplete.cause);
    this.finish();
    resolve(result);
  }

  /** Why a stream that just ended is not complete, or undefined when it is. */
  private incomplete(): { reason: 'incomplete' | 'error'; cause: unknown } | undefined {
    const isComplete = this.limits.isComplete as ((chunk: T) => boolean) | undefined;
    if (isComplete === undefined) return undefined;
    try {
      return isComplete(this.last as T) ? undefined : { reason: 'incomplete', cause: undefined };
    } catch (error) {
      return { reason: 'error', cause: error };
    }
  }

  private interrupt(reason: 'stalled' | 'error' | 'incomplete', cause: unknown): void {
    const error = new StreamInterruptedError(this.chunks, reason, cause);
    const reject = this.rejectNext;
    const opened = this.opened as OpenedStream<T>;
    this.end();
    this.call?.stop(error);
    forget(opened.close(error));
    opened.settle(true, error);
    reject?.(error);
  }

  /** A clean end: the source finished (complete, when `isComplete` asks). */
  private finish(): void {
    this.end();
    this.opened?.settle(false, undefined);
  }

  /** Stops early, for the consumer or its signal: the source is closed, the attempt aborted. */
  private cancel(reason: unknown): Promise<void> {
    const phase = this.phase;
    this.end();
    // Also stops what a layer opened with the call's own signal.
    this.call?.stop(reason);
    if (phase === IDLE || phase === OPENING) return Promise.resolve();
    const opened = this.opened as OpenedStream<T>;
    opened.settle(false, reason);
    return opened.close(reason);
  }

  private end(): void {
    this.phase = DONE;
    this.resolveNext = this.rejectNext = undefined;
    this.stall?.stop();
    this.caller?.removeEventListener('abort', this);
  }
}
