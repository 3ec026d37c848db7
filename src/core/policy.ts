import { abortReason } from './abort.js';
import { CallContext, releasedAfter } from './call-context.js';
import { systemClock, type Clock } from './clock.js';
import { streamCall } from './stream/call.js';
import type { StreamOperation } from './stream/open.js';
import { NO_LIMITS, type StreamLimits } from './stream/options.js';

/** What every protected function receives. */
export interface Context {
  /** Aborts when the caller aborts, a timeout expires or a hedge loses. */
  readonly signal: AbortSignal;
  /** 1 for the first call, 2 for the first retry, … */
  readonly attempt: number;
  /** The orchestrator's operation name, when the call came through one. */
  readonly operation?: string | undefined;
}

/** The function a policy protects. It may answer synchronously. */
export type Operation<T> = (ctx: Context) => T | PromiseLike<T>;

/** Where an answer came from, recorded while a call runs through the layers. */
export interface Provenance {
  /** How many times the protected function itself was called (retries and hedges included). */
  attempts: number;
  fromFallback: boolean;
  /** `'primary'` for the protected function, else the fallback's name (`'fallback'`, `'cache'`, a chain entry). */
  source: string;
  /** Age of a cached answer, when `source` is a cache. */
  ageMs?: number;
}

/** `executeDetailed`'s answer: the value and how it was obtained. */
export interface DetailedResult<T> {
  readonly value: T;
  readonly fromFallback: boolean;
  readonly source: string;
  readonly attempts: number;
  readonly durationMs: number;
  readonly ageMs?: number;
}

/** The contract every policy keeps. */
export interface Policy {
  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T>;
  executeDetailed<T>(fn: Operation<T>, signal?: AbortSignal): Promise<DetailedResult<T>>;
  /** Runs a streaming call (SPEC §9): the policies act until its first chunk, the limits of a `stream()` layer after. */
  executeStream<T>(fn: StreamOperation<T>, signal?: AbortSignal): AsyncIterable<T>;
}

/** The chunk type of a stream a fallback answers with. */
export type ChunkOf<R> =
  R extends AsyncIterable<infer C> ? C : R extends PromiseLike<AsyncIterable<infer C>> ? C : never;

/** Type-only key carrying the result type of a policy that answers with values of its own. */
declare const resultBound: unique symbol;

/**
 * A policy that may answer with a value of its own (a fallback, a fallback chain): it only
 * protects functions whose result fits `R`, and its answers are typed `R`. Plain policies are
 * `TypedPolicy<R>` for every `R`; a `TypedPolicy` is not a plain `Policy`, so a fallback value
 * can never reach a caller that expects another type.
 */
export interface TypedPolicy<R> {
  execute<T extends R>(fn: Operation<T>, signal?: AbortSignal): Promise<R>;
  executeDetailed<T extends R>(fn: Operation<T>, signal?: AbortSignal): Promise<DetailedResult<R>>;
  /** A streaming call; the layer's own answers are streams (`R` an `AsyncIterable`), their chunks typed `ChunkOf<R>`. */
  executeStream<T>(fn: StreamOperation<T>, signal?: AbortSignal): AsyncIterable<T | ChunkOf<R>>;
  /** Never set: carries `R` for `pipeline`'s type. */
  readonly [resultBound]?: R;
}

/**
 * Anything `pipeline` composes: a breakwater policy, a `TypedPolicy`, or a foreign policy (a
 * cockatiel one, say) whose function may receive a smaller context.
 */
export interface PipelineLayer {
  execute(fn: (ctx: unknown) => unknown, signal?: AbortSignal): Promise<unknown>;
}

type ResultBoundOf<P> = P extends { readonly [resultBound]?: infer R } ? R : unknown;
type ResultBoundOfAll<P extends readonly unknown[]> = P extends readonly [infer Head, ...infer Rest]
  ? ResultBoundOf<Head> & ResultBoundOfAll<Rest>
  : unknown;

/** What `pipeline(...policies)` is: a plain `Policy`, or a `TypedPolicy` when a layer answers itself. */
export type PipelineOf<P extends readonly PipelineLayer[]> =
  unknown extends ResultBoundOfAll<P> ? Policy : TypedPolicy<ResultBoundOfAll<P>>;

/**
 * The context as policies see it: the public fields plus the call's provenance record,
 * present only under `executeDetailed` so the plain path allocates nothing for it
 * (BENCHMARKS.md "`wrap`, balanced strategy").
 */
export interface ExecutionContext extends Context {
  readonly provenance: Provenance | undefined;
  /** Set under `executeStream` only: how a layer opens a stream it answers with itself. */
  readonly streamOpener: StreamOpener | undefined;
}

/**
 * How, under `executeStream`, a layer that answers with a stream of its own (a fallback, a
 * fallback chain's alternative) opens it: to its first chunk, under the stream's limits, as
 * an attempt's stream is opened. A failure before that chunk is then the layer's own failure,
 * seen by what is around it (the chain's next alternative, a retry, a breaker, a timeout), and
 * never the whole call's once the layer has answered (SPEC §9).
 */
export interface StreamOpener {
  /** Calls `produce` with the stream's own context; resolves once its first chunk is there. */
  open(produce: (ctx: Context) => unknown, ctx: Context): Promise<unknown>;
}

/**
 * How breakwater policies run inside one another without creating a root context per layer.
 * A global symbol, so that policies from two copies of the package still compose.
 */
export const RUN: unique symbol = Symbol.for('breakwater.policy.run') as never;

export interface ComposablePolicy extends Policy {
  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T>;
}

/**
 * How a pipeline finds the limits of its `stream()` layer: a policy that sets stream limits
 * answers them under this key. A global symbol, like `RUN`.
 */
export const STREAM_LIMITS: unique symbol = Symbol.for('breakwater.policy.stream-limits') as never;

export interface StreamLimited {
  [STREAM_LIMITS](): StreamLimits | undefined;
}

export function isComposable(policy: object): policy is ComposablePolicy {
  return typeof (policy as Partial<ComposablePolicy>)[RUN] === 'function';
}

/** A context derived from `parent`, keeping its operation and provenance record. */
export function childContext(
  parent: ExecutionContext,
  signal: AbortSignal,
  attempt: number,
): ExecutionContext {
  return {
    signal,
    attempt,
    operation: parent.operation,
    provenance: parent.provenance,
    streamOpener: parent.streamOpener,
  };
}

/**
 * The context a call starts with: its own, with a signal made on first read (see
 * `CallContext`; BENCHMARKS.md "retry, fn never reads its signal (no timeout)" against
 * "retry, fn reads its own signal (no timeout)"). Give one with a caller's signal back with `releasedAfter` once it settled.
 */
export function rootContext(
  signal: AbortSignal | undefined,
  operation?: string,
  provenance?: Provenance,
): CallContext {
  return new CallContext(signal, operation, provenance);
}

/** Records, under `executeDetailed`, that a fallback named `source` answered the call. */
export function markFallback(ctx: ExecutionContext, source: string, ageMs?: number): void {
  const provenance = ctx.provenance;
  if (provenance === undefined) return;
  provenance.fromFallback = true;
  provenance.source = source;
  if (ageMs === undefined) delete provenance.ageMs;
  else provenance.ageMs = ageMs;
}

/**
 * A layer's own answer (a fallback's): `produce(ctx)`, or under `executeStream` the stream it
 * produces opened to its first chunk (see `StreamOpener`), so that a stream failing before
 * it fails here, where the layers around can still act on it.
 */
export function ownAnswer<R>(
  ctx: ExecutionContext,
  produce: (ctx: Context) => R | PromiseLike<R>,
): Promise<R> {
  const opener = ctx.streamOpener;
  return opener === undefined ? invoke(produce, ctx) : (opener.open(produce, ctx) as Promise<R>);
}

/** Calls `fn`, turning a synchronous answer or throw into a promise. */
export function invoke<T>(fn: Operation<T>, ctx: Context): Promise<T> {
  try {
    const result = fn(ctx);
    return result instanceof Promise ? (result as Promise<T>) : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Runs `fn` through `policy` while recording where the answer came from. */
export function runDetailed<T>(
  policy: ComposablePolicy,
  fn: Operation<T>,
  signal: AbortSignal | undefined,
  clock: Clock,
  operation?: string,
): Promise<DetailedResult<T>> {
  return withProvenance(clock, (provenance) => {
    const counted: Operation<T> = (ctx) => {
      provenance.attempts++;
      return fn(ctx);
    };
    return runFrom(policy, counted, rootContext(signal, operation, provenance), signal);
  });
}

/**
 * Runs `fn` through `policy` from the call's root context. A policy that throws at once (a
 * user callback did: a clock, a key, a random source) rejects instead, and a context made
 * for a caller's signal is released once the call settled.
 */
function runFrom<T>(
  policy: ComposablePolicy,
  fn: Operation<T>,
  ctx: CallContext,
  signal: AbortSignal | undefined,
): Promise<T> {
  const pending = runPolicy(policy, fn, ctx);
  return signal === undefined ? pending : releasedAfter(ctx, pending);
}

/** `policy[RUN](fn, ctx)`, a synchronous throw (a user's clock, say) turned into its rejection. */
export function runPolicy<T>(
  policy: ComposablePolicy,
  fn: Operation<T>,
  ctx: ExecutionContext,
): Promise<T> {
  try {
    return policy[RUN](fn, ctx);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Runs `run` with a fresh provenance record, then reports its value with where it came from and how long it took. */
export async function withProvenance<T>(
  clock: Clock,
  run: (provenance: Provenance) => Promise<T>,
): Promise<DetailedResult<T>> {
  const provenance: Provenance = { attempts: 0, fromFallback: false, source: 'primary' };
  const started = clock.now();
  // A clock that steps back under an injected clock still reports no negative duration.
  const value = await run(provenance);
  const result: DetailedResult<T> = {
    value,
    fromFallback: provenance.fromFallback,
    source: provenance.source,
    attempts: provenance.attempts,
    durationMs: Math.max(0, clock.now() - started),
    ...(provenance.ageMs === undefined ? {} : { ageMs: provenance.ageMs }),
  };
  return result;
}

/**
 * The shared face of breakwater's policies: subclasses implement `[RUN]`, and get `execute`
 * and `executeDetailed` with the caller's signal honoured before anything runs.
 */
export abstract class BasePolicy implements ComposablePolicy {
  protected readonly clock: Clock;

  protected constructor(clock: Clock | undefined) {
    this.clock = clock ?? systemClock;
  }

  abstract [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T>;

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return runFrom(this, fn, rootContext(signal), signal);
  }

  executeDetailed<T>(fn: Operation<T>, signal?: AbortSignal): Promise<DetailedResult<T>> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return runDetailed(this, fn, signal, this.clock);
  }

  executeStream<T>(fn: StreamOperation<T>, signal?: AbortSignal): AsyncIterable<T> {
    return streamCall((open, ctx) => this[RUN](open, ctx), fn, signal, this[STREAM_LIMITS]());
  }

  /** A plain policy sets no stream limits; `stream()` does, and a pipeline answers its layer's. */
  [STREAM_LIMITS](): StreamLimits {
    return NO_LIMITS;
  }
}
