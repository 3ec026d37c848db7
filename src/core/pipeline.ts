import { NextAttemptContext, abortSource } from './call-context.js';
import { fail } from './option-checks.js';
import {
  BasePolicy,
  RUN,
  STREAM_LIMITS,
  childContext,
  isComposable,
  type Context,
  type ExecutionContext,
  type Operation,
  type PipelineOf,
  type PipelineLayer,
  type StreamLimited,
} from './policy.js';
import {
  RUN_AROUND,
  RUN_THEN,
  runThen,
  type AroundPolicy,
  type InnerLayers,
  type OnFulfilled,
  type OnRejected,
  type SettlingPolicy,
} from './run-then.js';
import { NO_LIMITS, type StreamLimits } from './stream/options.js';

/**
 * What a pipeline accepts as a layer: a breakwater policy, or any object with an `execute`
 * method (a cockatiel policy, a hand-written one), whose function may get a partial context.
 */
export interface PolicyLike {
  execute<T>(fn: (ctx?: Partial<Context>) => T | PromiseLike<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * Runs `fn` through a policy that is not breakwater's (cockatiel, a hand-written one…) by its
 * `execute`. The context is merged: the foreign policy's signal (it aborts when the caller's
 * does, if that policy links them) and our operation and provenance; a foreign retry that
 * calls again counts up the attempt.
 */
function runForeign<T>(policy: PolicyLike, fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
  let calls = 0;
  return policy.execute(
    (inner) => {
      const attempt = ctx.attempt + calls++;
      return fn(
        inner?.signal instanceof AbortSignal
          ? childContext(ctx, inner.signal, attempt)
          : new NextAttemptContext(ctx, attempt),
      );
    },
    // Only a signal that can abort: a foreign policy need not link one that never will.
    abortSource(ctx),
  );
}

function runInside<T>(policy: PolicyLike, fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
  return isComposable(policy) ? policy[RUN](fn, ctx) : runForeign(policy, fn, ctx);
}

/** The layers of a pipeline from `index` inwards, as the layer before them runs them (see `RUN_AROUND`). */
class InnerStage implements InnerLayers {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly index: number,
  ) {}

  run<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    return this.pipeline.runFrom(this.index, fn, ctx);
  }

  runThen<T, R>(
    fn: Operation<T>,
    ctx: ExecutionContext,
    onFulfilled: OnFulfilled<T, R>,
    onRejected: OnRejected<R>,
  ): Promise<R> {
    // As an attempt's function would: a synchronous throw is the attempt's rejection.
    try {
      return this.pipeline.runThenFrom(this.index, fn, ctx, onFulfilled, onRejected);
    } catch (error) {
      return Promise.reject(error).then(onFulfilled, onRejected);
    }
  }
}

const isAround = (policy: PolicyLike): policy is PolicyLike & AroundPolicy =>
  typeof (policy as Partial<AroundPolicy>)[RUN_AROUND] === 'function';

class Pipeline extends BasePolicy implements SettlingPolicy {
  private readonly innermost: number;
  /** `stages[i]`: the layers from `i` inwards, made once (none for the outermost). */
  private readonly stages: readonly InnerStage[];

  constructor(readonly policies: readonly PolicyLike[]) {
    super(undefined);
    this.innermost = policies.length - 1;
    this.stages = policies.map((_, index) => new InnerStage(this, index));
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    return this.runFrom(0, fn, ctx);
  }

  [RUN_THEN]<T, R>(
    fn: Operation<T>,
    ctx: ExecutionContext,
    onFulfilled: OnFulfilled<T, R>,
    onRejected: OnRejected<R>,
  ): Promise<R> {
    return this.runThenFrom(0, fn, ctx, onFulfilled, onRejected);
  }

  /**
   * The layers from `index` inwards, then `onFulfilled` / `onRejected`: a layer that runs
   * around the next ones (a retry) is told of them instead of given a function composed per
   * call, and the innermost settles with the handlers in one reaction where it can (see
   * `RUN_THEN`; BENCHMARKS.md "`wrap`, balanced"). Internal, for `InnerStage`.
   */
  runThenFrom<T, R>(
    index: number,
    fn: Operation<T>,
    ctx: ExecutionContext,
    onFulfilled: OnFulfilled<T, R>,
    onRejected: OnRejected<R>,
  ): Promise<R> {
    const policy = this.policies[index] as PolicyLike;
    if (index === this.innermost) {
      return isComposable(policy)
        ? runThen(policy, fn, ctx, onFulfilled, onRejected)
        : runForeign(policy, fn, ctx).then(onFulfilled, onRejected);
    }
    if (isAround(policy)) {
      const inner = this.stages[index + 1] as InnerStage;
      return policy[RUN_AROUND](inner, fn, ctx, onFulfilled, onRejected);
    }
    return this.runFrom(index, fn, ctx).then(onFulfilled, onRejected);
  }

  /** The limits of the innermost `stream()` layer: they hold for every attempt, wherever it sits. */
  override [STREAM_LIMITS](): StreamLimits {
    for (let index = this.innermost; index >= 0; index--) {
      const layer = this.policies[index] as Partial<StreamLimited>;
      const limits = layer[STREAM_LIMITS]?.();
      if (limits !== undefined && limits !== NO_LIMITS) return limits;
    }
    return NO_LIMITS;
  }

  /** The layers from `index` inwards. Internal, for `InnerStage`. */
  runFrom<T>(index: number, fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    const policy = this.policies[index] as PolicyLike;
    if (index === this.innermost) return runInside(policy, fn, ctx);
    return runInside(
      policy,
      (inner) => this.runFrom(index + 1, fn, inner as ExecutionContext),
      ctx,
    );
  }
}

/**
 * Composes policies outermost-first: `pipeline(retry, breaker, timeout)` retries calls that
 * go through the breaker, each attempt bounded by the timeout. Any object with an `execute`
 * method fits (a cockatiel policy, say); a pipeline inside a pipeline is flattened. When a
 * layer answers with values of its own (a fallback typed `R`), the pipeline is a `TypedPolicy<R>`.
 */
export function pipeline<const P extends readonly PipelineLayer[]>(...given: P): PipelineOf<P> {
  const policies = given as readonly PipelineLayer[] as readonly unknown[] as readonly PolicyLike[];
  if (policies.length === 0) {
    throw new RangeError('pipeline: needs at least one policy, got none');
  }
  policies.forEach((policy, index) => {
    if (typeof (policy as Partial<PolicyLike> | null | undefined)?.execute !== 'function') {
      fail('pipeline', `argument ${index}`, 'a policy (an object with an execute method)', policy);
    }
  });
  const layers = policies.flatMap((policy): readonly PolicyLike[] =>
    policy instanceof Pipeline ? policy.policies : [policy],
  );
  const only = layers[0];
  // A lone breakwater policy needs no wrapper; a foreign one gets executeDetailed from it.
  if (layers.length === 1 && only !== undefined && isComposable(only)) return only;
  return new Pipeline(layers);
}
