import type { DetailedResult } from '../policy.js';
import type { OperationConfig, StrategyName } from './config.js';
import type { Strategy } from './strategies.js';

/** Any function an operation may wrap; its parameters and result types are kept as they are. */
export type AnyFunction = (...args: never[]) => unknown;

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

export interface WrappedExtras<F extends AnyFunction> {
  readonly operation: string;
  /** The same call, answering with where the value came from (`fromFallback`, `source`, `attempts`, `durationMs`). */
  detailed(
    this: ThisParameterType<F>,
    ...args: Parameters<F>
  ): Promise<DetailedResult<ResultOf<F>>>;
}

/**
 * A wrapped function: an async function keeps its exact type (overloads and generics
 * included); a synchronous one keeps its parameters and now answers with a promise.
 */
export type Wrapped<F extends AnyFunction> = (ReturnType<F> extends PromiseLike<unknown>
  ? F
  : (this: ThisParameterType<F>, ...args: Parameters<F>) => Promise<ResultOf<F>>) &
  WrappedExtras<F>;
