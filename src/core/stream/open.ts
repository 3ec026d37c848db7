import { abortReason, neverAbortedSignal } from '../abort.js';
import { FirstChunkTimeoutError, StreamInterruptedError } from '../errors/classes.js';
import type { Context, StreamOpener } from '../policy.js';
import { closeQuietly, forget } from './close.js';
import { OpenedStream } from './opened-stream.js';
import type { StreamLimits } from './options.js';

/** What a streaming function may answer: a stream, or a promise of one (openai's `create({ stream: true })`). */
export type StreamSource<T> = AsyncIterable<T> | PromiseLike<AsyncIterable<T>>;

/** A streaming function: gets the attempt's context, answers with its stream. */
export type StreamOperation<T> = (ctx: Context) => StreamSource<T>;

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
 * controller: the caller's signal (`ctx.signal`) aborts it while it opens, and afterwards the
 * consumer owns it. A failure — an error, the `firstChunkMs` deadline, the caller's abort —
 * aborts the attempt, closes the source and rejects at once, without waiting on a source
 * that does not listen.
 */
export function openSource<T>(
  produce: StreamOperation<T>,
  ctx: Context,
  limits: StreamLimits,
): Promise<OpenedStream<T>> {
  const outer = ctx.signal;
  if (outer.aborted) return Promise.reject(abortReason(outer));
  return new Promise<OpenedStream<T>>((resolve, reject) => {
    const controller = new AbortController();
    let iterator: AsyncIterator<T> | undefined;
    let finished = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = (): void => {
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      if (outer !== neverAbortedSignal) outer.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      if (finished) return;
      stop();
      controller.abort(error);
      if (iterator !== undefined) forget(closeQuietly(iterator));
      reject(error);
    };
    const onAbort = (): void => fail(abortReason(outer));
    if (outer !== neverAbortedSignal) outer.addEventListener('abort', onAbort, { once: true });
    const { firstChunkMs } = limits;
    if (firstChunkMs !== undefined) {
      timer = setTimeout(() => fail(new FirstChunkTimeoutError(firstChunkMs)), firstChunkMs);
    }
    const onFirst = (first: IteratorResult<T>): void => {
      if (finished) return;
      if (first.done === true && limits.isComplete !== undefined) {
        // Nothing at all where a complete answer was expected: the attempt failed.
        return fail(new StreamInterruptedError(0, 'incomplete'));
      }
      stop();
      const clock = limits.clock;
      const opened = new OpenedStream(
        iterator as AsyncIterator<T>,
        first,
        controller,
        outer,
        clock.now(),
        () => clock.now(),
      );
      resolve(opened);
    };
    const onSource = (iterable: AsyncIterable<T>): PromiseLike<void> | undefined => {
      const opened = iteratorOf(iterable);
      if (finished) {
        // The attempt was called off while the source was on its way: close it unread.
        forget(closeQuietly(opened));
        return undefined;
      }
      iterator = opened;
      return opened.next().then(onFirst);
    };
    let source: StreamSource<T>;
    try {
      source = produce({
        signal: controller.signal,
        attempt: ctx.attempt,
        operation: ctx.operation,
      });
    } catch (error) {
      fail(error);
      return;
    }
    Promise.resolve(source).then(onSource).then(undefined, fail);
  });
}

/**
 * Opens the streams that layers answer with (a fallback's, a chain alternative's) under one
 * stream's limits, so that each is an attempt of its own (see `StreamOpener`).
 */
export class LimitedOpener implements StreamOpener {
  constructor(private readonly limits: StreamLimits) {}

  open(produce: (ctx: Context) => unknown, ctx: Context): Promise<unknown> {
    return openSource(produce as StreamOperation<unknown>, ctx, this.limits);
  }
}
