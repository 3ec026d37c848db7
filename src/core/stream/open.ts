import type { AbortFollower } from '../call-context.js';
import { FirstChunkTimeoutError, StreamInterruptedError } from '../errors/classes.js';
import type { Context, StreamOpener } from '../policy.js';
import { isPromiseLike } from '../promise-like.js';
import { StreamAttempt } from './attempt.js';
import { StreamCallContext, type AbortWatch } from './call-context.js';
import { closeQuietly, forget } from './close.js';
import { OpenedStream } from './opened-stream.js';
import type { StreamLimits } from './options.js';

/** What a streaming function may answer: a stream, or a promise of one (openai's `create({ stream: true })`). */
export type StreamSource<T> = AsyncIterable<T> | PromiseLike<AsyncIterable<T>>;

/** A streaming function: gets the attempt's context, answers with its stream. */
export type StreamOperation<T> = (ctx: Context) => StreamSource<T>;

const ignore = (): void => undefined;

function iteratorOf<T>(iterable: AsyncIterable<T>): AsyncIterator<T> {
  const open = (iterable as Partial<AsyncIterable<T>> | null | undefined)?.[Symbol.asyncIterator];
  if (typeof open !== 'function') {
    throw new TypeError(
      `a streaming function must answer an AsyncIterable, got ${typeof iterable}`,
    );
  }
  return open.call(iterable);
}

/**
 * One attempt of a streaming call: opens the source and waits for its first chunk. That is
 * the attempt's success, so the policies around it (retry, breaker, timeout, hedge, a
 * fallback chain) treat "no first chunk" exactly like a failed call. The attempt has its own
 * signal (`StreamAttempt`): the call's abort (`ctx`, followed through `call`) calls it off
 * while it opens, and afterwards the consumer owns it. A failure — an error, the
 * `firstChunkMs` deadline, the caller's abort — aborts the attempt, closes the source and
 * rejects at once, without waiting on a source that does not listen.
 */
export function openSource<T>(
  produce: StreamOperation<T>,
  ctx: Context,
  limits: StreamLimits,
  call: StreamCallContext,
): Promise<OpenedStream<T>> {
  const aborted = call.abortedIn(ctx);
  if (aborted !== undefined) return Promise.reject(aborted);
  return new Opening(produce, ctx, limits, call).opened;
}

/**
 * One attempt while it opens, as one object (its own abort follower) rather than a closure
 * per step: a stream's setup is paid out of its chunks' budget ("Streams" in BENCHMARKS.md).
 */
class Opening<T> implements AbortFollower {
  readonly opened: Promise<OpenedStream<T>>;
  private resolve: (opened: OpenedStream<T>) => void = ignore;
  private reject: (error: unknown) => void = ignore;
  private iterator: AsyncIterator<T> | undefined = undefined;
  private finished = false;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly attempt: StreamAttempt;
  private readonly watch: AbortWatch;

  constructor(
    produce: StreamOperation<T>,
    private readonly ctx: Context,
    private readonly limits: StreamLimits,
    private readonly call: StreamCallContext,
  ) {
    this.opened = new Promise<OpenedStream<T>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.attempt = new StreamAttempt(ctx.attempt, ctx.operation);
    this.watch = call.watch(ctx, this);
    const { firstChunkMs } = limits;
    if (firstChunkMs !== undefined) {
      this.timer = setTimeout(
        () => this.fail(new FirstChunkTimeoutError(firstChunkMs)),
        firstChunkMs,
      );
    }
    this.run(produce);
  }

  /** The call aborted while the attempt opened. */
  handleEvent(): void {
    this.fail(StreamCallContext.watchedReason(this.watch));
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.stop();
    this.attempt.abort(error);
    if (this.iterator !== undefined) forget(closeQuietly(this.iterator));
    this.reject(error);
  }

  /**
   * Synchronous up to the first `next()`, then one reaction on it: no async function and no
   * await of a source that is at hand (most are: an SDK's stream once its promise resolved,
   * a generator), a stream's setup being paid out of its chunks' budget ("Streams" in
   * BENCHMARKS.md). Only a promised source (openai's `create`) waits for its promise.
   */
  private run(produce: StreamOperation<T>): void {
    let produced: StreamSource<T>;
    try {
      produced = produce(this.attempt);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (isPromiseLike(produced)) {
      Promise.resolve(produced).then(
        (iterable) => this.read(iterable),
        (error: unknown) => this.fail(error),
      );
    } else {
      this.read(produced);
    }
  }

  /** The source is there: its first `next()` is the attempt's outcome. */
  private read(iterable: AsyncIterable<T>): void {
    let pending: Promise<IteratorResult<T>>;
    try {
      const iterator = iteratorOf(iterable);
      if (this.finished) {
        // The attempt was called off while the source was on its way: close it unread.
        forget(closeQuietly(iterator));
        return;
      }
      this.iterator = iterator;
      pending = Promise.resolve(iterator.next());
    } catch (error) {
      this.fail(error);
      return;
    }
    pending.then(
      (first) => this.first(first),
      (error: unknown) => this.fail(error),
    );
  }

  private first(first: IteratorResult<T>): void {
    if (this.finished) return;
    try {
      if (first.done === true && this.limits.isComplete !== undefined) {
        // Nothing at all where a complete answer was expected: the attempt failed.
        this.fail(new StreamInterruptedError(0, 'incomplete'));
        return;
      }
      this.stop();
      this.resolve(
        new OpenedStream(
          this.iterator as AsyncIterator<T>,
          first,
          this.attempt,
          this.ctx,
          this.call,
          this.limits.clock,
        ),
      );
    } catch (error) {
      // Not an iterator result, or a clock that throws: the attempt failed, as before.
      this.fail(error);
    }
  }

  private stop(): void {
    this.finished = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    StreamCallContext.unwatch(this.watch, this);
  }
}

/**
 * Opens the streams that layers answer with (a fallback's, a chain alternative's) under one
 * stream's limits, so that each is an attempt of its own (see `StreamOpener`).
 */
export class LimitedOpener implements StreamOpener {
  /** The call whose abort the streams follow; set once the call's context is made. */
  call: StreamCallContext | undefined = undefined;

  constructor(private readonly limits: StreamLimits) {}

  open(produce: (ctx: Context) => unknown, ctx: Context): Promise<unknown> {
    return openSource(
      produce as StreamOperation<unknown>,
      ctx,
      this.limits,
      this.call as StreamCallContext,
    );
  }
}
