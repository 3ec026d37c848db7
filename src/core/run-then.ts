import {
  runPolicy,
  type ComposablePolicy,
  type ExecutionContext,
  type Operation,
} from './policy.js';

/**
 * How a call runs through policies and settles in fewer promise reactions. `policy[RUN_THEN](fn,
 * ctx, onFulfilled, onRejected)` is `policy[RUN](fn, ctx).then(onFulfilled, onRejected)`,
 * with a synchronous throw handed to `onRejected`: a policy that implements it runs its own
 * settlement and the caller's in the same reaction instead of one reaction each. Each
 * reaction is a promise, a job and a microtask turn, a good part of a fast call: BENCHMARKS.md
 * "`wrap`, balanced (metrics + retry + breaker)" settles in one reaction instead of three.
 * Internal; a global symbol, like `RUN`, so that two copies of the package still compose.
 */
export const RUN_THEN: unique symbol = Symbol.for('breakwater.policy.run-then') as never;

export type OnFulfilled<T, R> = (value: T) => R | PromiseLike<R>;
export type OnRejected<R> = (error: unknown) => R | PromiseLike<R>;

export interface SettlingPolicy {
  [RUN_THEN]<T, R>(
    fn: Operation<T>,
    ctx: ExecutionContext,
    onFulfilled: OnFulfilled<T, R>,
    onRejected: OnRejected<R>,
  ): Promise<R>;
}

/**
 * The policies inside an outer one, from the outer one's inner side: what a `RUN_AROUND`
 * policy runs each attempt through (a pipeline's next layers).
 */
export interface InnerLayers {
  run<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T>;
  runThen<T, R>(
    fn: Operation<T>,
    ctx: ExecutionContext,
    onFulfilled: OnFulfilled<T, R>,
    onRejected: OnRejected<R>,
  ): Promise<R>;
}

/**
 * A policy that runs around layers it is told of (a retry around a breaker, in a pipeline):
 * `policy[RUN_AROUND](inner, fn, ctx, onFulfilled, onRejected)` is
 * `runThen(policy, (c) => inner.run(fn, c), ctx, onFulfilled, onRejected)`, without the
 * closure per call that the composed function needs, and settling its first attempt in the
 * inner layers' reaction.
 */
export const RUN_AROUND: unique symbol = Symbol.for('breakwater.policy.run-around') as never;

export interface AroundPolicy {
  [RUN_AROUND]<T, R>(
    inner: InnerLayers,
    fn: Operation<T>,
    ctx: ExecutionContext,
    onFulfilled: OnFulfilled<T, R>,
    onRejected: OnRejected<R>,
  ): Promise<R>;
}

/** `policy[RUN](fn, ctx).then(onFulfilled, onRejected)`, a synchronous throw rejecting: the plain way. */
export function runThenPlain<T, R>(
  policy: ComposablePolicy,
  fn: Operation<T>,
  ctx: ExecutionContext,
  onFulfilled: OnFulfilled<T, R>,
  onRejected: OnRejected<R>,
): Promise<R> {
  return runPolicy(policy, fn, ctx).then(onFulfilled, onRejected);
}

/** `policy[RUN](fn, ctx).then(onFulfilled, onRejected)`, in one reaction where the policy can (see `RUN_THEN`). */
export function runThen<T, R>(
  policy: ComposablePolicy,
  fn: Operation<T>,
  ctx: ExecutionContext,
  onFulfilled: OnFulfilled<T, R>,
  onRejected: OnRejected<R>,
): Promise<R> {
  const settling = policy as Partial<SettlingPolicy> & ComposablePolicy;
  if (typeof settling[RUN_THEN] !== 'function') {
    return runThenPlain(policy, fn, ctx, onFulfilled, onRejected);
  }
  try {
    return settling[RUN_THEN](fn, ctx, onFulfilled, onRejected);
  } catch (error) {
    return Promise.reject(error).then(onFulfilled, onRejected);
  }
}
