import type { DetailedResult } from '../policy.js';
import type { StreamSource } from '../stream/open.js';
import type { StreamOptions } from '../stream/options.js';
import type { OperationConfig, StrategyName } from './config.js';
import type { Strategy } from './strategies.js';

/** Any function an operation may wrap; its parameters and result types are kept as they are. */
export type AnyFunction = (...args: never[]) => unknown;

/** A function that answers with a promise: what `@resilient` may decorate. */
export type AsyncFunction = (...args: never[]) => PromiseLike<unknown>;

/** What `fn` resolves to. */
export type ResultOf<F extends AnyFunction> = Awaited<ReturnType<F>>;

/**
 * Called with the error first, then the caller's own arguments; its answer stands in for
 * the operation's.
 */
export type FallbackFor<F extends AnyFunction> = (
  error: unknown,
  ...args: Parameters<F>
) => ResultOf<F> | PromiseLike<ResultOf<F>>;

export interface WrapOptions<F extends AnyFunction> {
  readonly strategy?: StrategyName | Strategy;
  /** Per-operation settings laid over the strategy (see `OperationConfig`). */
  readonly config?: OperationConfig;
  readonly fallback?: FallbackFor<F>;
}

/** One signature of `detailed`: a signature of the wrapped function, answering in detail. */
type DetailedSignature<This, A extends readonly unknown[], R> = (
  this: This,
  ...args: A
) => Promise<DetailedResult<Awaited<R>>>;

/**
 * `detailed`'s type: each signature of `F` (up to four overloads, in their order), answering
 * with a `DetailedResult`. A function with fewer signatures repeats them, which changes nothing.
 * A generic signature's type parameters become their constraints: TypeScript cannot re-map
 * the result of a generic signature inside a type.
 */
export type DetailedOf<F extends AnyFunction> = F extends {
  (...args: infer A1): infer R1;
  (...args: infer A2): infer R2;
  (...args: infer A3): infer R3;
  (...args: infer A4): infer R4;
}
  ? DetailedSignature<ThisParameterType<F>, A1, R1> &
      DetailedSignature<ThisParameterType<F>, A2, R2> &
      DetailedSignature<ThisParameterType<F>, A3, R3> &
      DetailedSignature<ThisParameterType<F>, A4, R4>
  : never;

export interface WrappedExtras<F extends AnyFunction> {
  readonly operation: string;
  /** The same call, answering with where the value came from (`fromFallback`, `source`, `attempts`, `durationMs`). */
  readonly detailed: DetailedOf<F>;
}

/**
 * A wrapped function: an async function keeps its exact type (overloads and generics
 * included); a synchronous one keeps its parameters and now answers with a promise.
 */
export type Wrapped<F extends AnyFunction> = (ReturnType<F> extends PromiseLike<unknown>
  ? F
  : (this: ThisParameterType<F>, ...args: Parameters<F>) => Promise<ResultOf<F>>) &
  WrappedExtras<F>;

/** `wrapStream`'s options; `A` are the wrapped function's own parameters, `T` its chunks. */
export interface StreamWrapOptions<A extends unknown[], T> {
  readonly strategy?: StrategyName | Strategy;
  /** Per-operation settings laid over the strategy, `stream: { firstChunkMs, idleMs }` included. */
  readonly config?: OperationConfig;
  /**
   * The stream's limits from code: `isComplete`, and deadlines that the operation's `stream`
   * config (a file, a runtime update) may override. `openAIStream(…)` and
   * `anthropicStream(…)` make them for those SDKs.
   */
  readonly stream?: Omit<StreamOptions<T>, 'clock'>;
  /**
   * Answers with another stream, called as `fallback(error, ...args)` as `wrap`'s fallback
   * is; `resilience.signal()` in it (before its first `await`) is its own attempt's signal,
   * which closes its request when the stream stops.
   */
  readonly fallback?: (error: unknown, ...args: A) => StreamSource<T>;
}

/**
 * A function that streams through an operation: the caller's parameters in, a stream (or a
 * promise of one) out. The attempt's context is `resilience.context()` / `resilience.signal()`,
 * read before the function's first `await`.
 */
export type StreamingFunction<A extends unknown[], T> = (...args: A) => StreamSource<T>;

/** What `wrapStream` returns: `fn`'s parameters in, an `AsyncIterable` of its chunks out. */
export type WrappedStream<A extends unknown[], T> = ((...args: A) => AsyncIterable<T>) & {
  readonly operation: string;
};
