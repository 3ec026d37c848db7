import { abortReason } from './abort.js';
import { systemClock } from './clock.js';
import {
  RUN,
  childContext,
  isComposable,
  rootContext,
  runDetailed,
  type ComposablePolicy,
  type DetailedResult,
  type ExecutionContext,
  type Operation,
  type PipelineOf,
  type Policy,
  type PipelineLayer,
} from './policy.js';

/** Runs `fn` inside `policy`, passing the context on. Policies from elsewhere run through `execute`. */
function runInside<T>(policy: Policy, fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
  if (isComposable(policy)) return policy[RUN](fn, ctx);
  return policy.execute(
    (inner) => fn(childContext(ctx, inner.signal, Math.max(ctx.attempt, inner.attempt))),
    ctx.signal,
  );
}

class Pipeline implements ComposablePolicy {
  constructor(private readonly policies: readonly Policy[]) {}

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    return this.runFrom(0, fn, ctx);
  }

  private runFrom<T>(index: number, fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    const policy = this.policies[index];
    if (policy === undefined) return Promise.reject(new Error('unreachable: empty pipeline layer'));
    if (index === this.policies.length - 1) return runInside(policy, fn, ctx);
    return runInside(
      policy,
      (inner) => this.runFrom(index + 1, fn, inner as ExecutionContext),
      ctx,
    );
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return this[RUN](fn, rootContext(signal));
  }

  executeDetailed<T>(fn: Operation<T>, signal?: AbortSignal): Promise<DetailedResult<T>> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return runDetailed(this, fn, signal, systemClock);
  }
}

/**
 * Composes policies outermost-first: `pipeline(retry, breaker, timeout)` retries calls that
 * go through the breaker, each attempt bounded by the timeout. When a layer answers with
 * values of its own (a fallback typed `R`), the pipeline is a `TypedPolicy<R>`.
 */
export function pipeline<const P extends readonly PipelineLayer[]>(...layers: P): PipelineOf<P> {
  const policies = layers as readonly PipelineLayer[] as readonly unknown[] as readonly Policy[];
  if (policies.length === 0) throw new RangeError('pipeline needs at least one policy, got none');
  policies.forEach((policy, index) => {
    if (typeof (policy as Partial<Policy> | undefined)?.execute !== 'function') {
      throw new TypeError(`pipeline: argument ${index} is not a policy (it has no execute method)`);
    }
  });
  const single = policies.length === 1 ? policies[0] : undefined;
  return single ?? new Pipeline(policies);
}
