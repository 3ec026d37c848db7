import { wallTimeOf, type Clock } from '../clock.js';
import {
  isBulkheadRejectedError,
  isCircuitOpenError,
  isRateLimiterRejectedError,
} from '../errors/index.js';
import type { EventHub } from '../events.js';
import { SETTLES_LATER, settlesLater, type SettlesLater } from '../late-outcome.js';
import { CallContext, callerAbort, releasedAfter, type LazyContext } from '../call-context.js';
import { OperationMetrics } from '../metrics/operation-metrics.js';
import { invoke, rootContext, runPolicy, type Operation, type Provenance } from '../policy.js';
import { runThen } from '../run-then.js';
import type { CallRecorder } from './call-recorder.js';
import type { Layers } from './layers.js';
import type { ObserverEvents, RejectionReason } from './observer.js';
import type { CodeSettings } from './resolve.js';

/** A fallback as the orchestrator runs it: the caller's arguments are already bound. */
export type BoundFallback<T> = (error: unknown) => T | PromiseLike<T>;

/** What every operation shares with the orchestrator that owns it. */
export interface OperationEnv {
  readonly clock: Clock;
  readonly isTransient: (error: unknown) => boolean;
  /** Created on the first `observe`; undefined while nobody observes. */
  hub: EventHub<ObserverEvents> | undefined;
  /**
   * Whether an observer listens for `onCallStart` / `onCallEnd`, kept by `observe`: every
   * call reads these fields instead of looking its listeners up.
   */
  callStartsWatched: boolean;
  callEndsWatched: boolean;
  /** The metric exporters' recorders (see `CallRecorder`), replaced as a whole on change. */
  recorders: readonly CallRecorder[];
  /** Whether every call is timed: someone listens for calls or records them. */
  callsTimed: boolean;
}

/** Why `error` refused a call without running it; undefined when the call ran. */
function rejectionReason(error: unknown): RejectionReason | undefined {
  if (isCircuitOpenError(error)) return 'circuit_open';
  if (isBulkheadRejectedError(error)) return 'bulkhead_full';
  if (isRateLimiterRejectedError(error)) return 'rate_limited';
  return undefined;
}

/** `fn`, counting its calls in `provenance.attempts` (only under `executeDetailed`). */
function counted<T>(fn: Operation<T>, provenance: Provenance): Operation<T> {
  return (ctx) => {
    provenance.attempts++;
    return fn(ctx);
  };
}

/**
 * One named operation: its metrics and its current layers (swapped as a whole when the
 * configuration changes). Runs calls through the layers and decides when the fallback answers.
 */
/** The layers' policy, where a call runs through them (`direct` in `run`: there is one). */
const layersPolicy = (layers: Layers): NonNullable<Layers['policy']> =>
  layers.policy as NonNullable<Layers['policy']>;

export class OperationEntry {
  readonly metrics: OperationMetrics;
  /** Set when the operation is removed; wrapped functions then register it afresh. */
  retired = false;
  private onValue: ((value: unknown) => unknown) | undefined;
  private onError: ((error: unknown) => Promise<never>) | undefined;

  constructor(
    readonly name: string,
    readonly code: CodeSettings,
    public layers: Layers,
    private readonly env: OperationEnv,
  ) {
    this.metrics = new OperationMetrics(
      name,
      (reading) => wallTimeOf(env.clock, reading),
      () => env.clock.now(),
    );
  }

  run<T>(
    fn: Operation<T>,
    signal: AbortSignal | undefined,
    fallback: BoundFallback<T> | undefined,
    provenance: Provenance | undefined,
    /** A streaming call's own context (see `StreamCallContext`): the call runs in it. */
    stream?: LazyContext,
  ): Promise<T> {
    const { metrics, env } = this;
    metrics.totalCalls++;
    // The latency histogram records the calls the metrics sample, whether or not anyone
    // observes (its count is the calls timed, SPEC §8.1); observers of calls get every call's
    // duration, so their calls are all timed. Streams are always timed and recorded: their
    // time to first chunk is recorded too.
    const sampled = stream !== undefined || metrics.timeThisCall();
    const timed = sampled || env.callsTimed;
    const started = timed ? env.clock.now() : Number.NaN;
    if (env.callStartsWatched) env.hub?.emit('onCallStart', { operation: this.name, at: started });
    const layers = this.layers;
    // Every call has a context of its own (its signal is made only if read, see CallContext).
    const ctx = stream ?? rootContext(signal, this.name, provenance);
    const target = provenance === undefined ? fn : counted(fn, provenance);
    // Without a caller's signal to let go of (nor a stream's context), the layers run the call
    // and settle it with its handlers in their own last reaction (see `RUN_THEN`).
    const direct = signal === undefined && layers.policy !== undefined && stream === undefined;
    let pending: Promise<T> | undefined;
    if (!direct) {
      const running =
        layers.policy === undefined ? invoke(target, ctx) : runPolicy(layers.policy, target, ctx);
      pending =
        signal !== undefined && ctx instanceof CallContext ? releasedAfter(ctx, running) : running;
    }
    // The common call (untimed, no fallback, nobody watching calls) settles through handlers
    // made once per operation: it needs nothing of its own when it ends, so no closure per
    // call. `timed` is set whenever an observer listens for calls; observers of transitions
    // or configuration alone (a dashboard's event stream) leave this path as it is.
    if (!timed && fallback === undefined) {
      const onValue = (this.onValue ??= (value) => this.succeededUntimed(value));
      const onError = (this.onError ??= (error) => this.failedUntimed(error));
      return (
        pending === undefined
          ? runThen(layersPolicy(layers), target, ctx, onValue, onError)
          : pending.then(onValue, onError)
      ) as Promise<T>;
    }
    return this.settleTimed(
      pending,
      target,
      layers,
      started,
      sampled,
      ctx,
      signal,
      fallback,
      provenance,
    );
  }

  /**
   * A timed call's (or one with a fallback) settlement: its closures are made here, not in
   * `run`, so that the common untimed call does not pay for the context they share
   * (BENCHMARKS.md "`wrap`, balanced strategy"). Without `pending` (no caller's signal to
   * release), the layers run `target` and settle with them in their own last reaction (see
   * `RUN_THEN`; BENCHMARKS.md "`wrap`, balanced, Prometheus exporter attached").
   */
  private settleTimed<T>(
    pending: Promise<T> | undefined,
    target: Operation<T>,
    layers: Layers,
    started: number,
    sampled: boolean,
    ctx: LazyContext,
    signal: AbortSignal | undefined,
    fallback: BoundFallback<T> | undefined,
    provenance: Provenance | undefined,
  ): Promise<T> {
    // What the latency histogram is given: the call's start when it is sampled, else NaN.
    const recordedFrom = sampled ? started : Number.NaN;
    const onValue = (value: T): T => {
      if (settlesLater(value)) {
        this.streamOutcome(value, started, 'success', undefined);
        return value;
      }
      const now = this.env.clock.now();
      this.metrics.recordSuccess(recordedFrom, now);
      this.ended('success', undefined, now - started, undefined, now);
      return value;
    };
    const onError = (error: unknown): Promise<T> =>
      this.failed(error, layers, started, recordedFrom, ctx, signal, fallback, provenance);
    if (pending !== undefined) return pending.then(onValue, onError);
    return runThen(layersPolicy(layers), target, ctx, onValue, onError);
  }

  private succeededUntimed(value: unknown): unknown {
    this.metrics.recordUntimedSuccess();
    return value;
  }

  private failedUntimed(error: unknown): Promise<never> {
    const reason = rejectionReason(error);
    if (reason !== undefined) this.metrics.rejectedCalls++;
    this.finishFailure(error, reason, Number.NaN, Number.NaN);
    return Promise.reject(error);
  }

  private fallbackApplies(error: unknown, layers: Layers, ctx: LazyContext): boolean {
    const when = layers.resolved.fallback;
    if (when === false || callerAbort(ctx) !== undefined) return false;
    const reason = rejectionReason(error);
    if (reason === 'circuit_open') return when.whenOpen !== false;
    if (reason !== undefined) return when.whenRejected !== false;
    if (this.env.isTransient(error)) return when.whenExhausted !== false;
    return when.whenPermanent === true;
  }

  private failed<T>(
    error: unknown,
    layers: Layers,
    started: number,
    recordedFrom: number,
    ctx: LazyContext,
    signal: AbortSignal | undefined,
    fallback: BoundFallback<T> | undefined,
    provenance: Provenance | undefined,
  ): Promise<T> {
    const { metrics, env } = this;
    const reason = rejectionReason(error);
    if (reason !== undefined) metrics.rejectedCalls++;
    if (fallback === undefined || !this.fallbackApplies(error, layers, ctx)) {
      this.finishFailure(error, reason, started, recordedFrom);
      return Promise.reject(error);
    }
    return invoke(() => fallback(error), rootContext(signal, this.name)).then(
      (value) => {
        if (settlesLater(value)) {
          metrics.fallbackCalls++;
          this.streamOutcome(value, started, 'fallback', error);
          return value;
        }
        const now = env.clock.now();
        metrics.fallbackCalls++;
        metrics.recordFailure(recordedFrom, now);
        if (provenance !== undefined) {
          provenance.fromFallback = true;
          provenance.source = 'fallback';
        }
        this.ended('fallback', reason, now - started, error, now);
        return value;
      },
      (fallbackError: unknown) => {
        this.finishFailure(fallbackError, reason, started, recordedFrom);
        return Promise.reject(fallbackError);
      },
    );
  }

  /**
   * A stream answered at its first chunk; the call ends with the stream. The whole stream is
   * the call's duration, its first chunk is recorded apart, and an interruption fails it.
   */
  private streamOutcome(
    stream: SettlesLater,
    started: number,
    answered: 'success' | 'fallback',
    primaryError: unknown,
  ): void {
    stream[SETTLES_LATER]((outcome) => {
      const { metrics } = this;
      const firstChunkMs = outcome.answeredAt - started;
      metrics.recordFirstChunk(firstChunkMs);
      const end = outcome.endedAt;
      if (outcome.failed) {
        metrics.recordFailure(started, end);
        this.ended('failure', undefined, end - started, outcome.error, end, firstChunkMs);
        return;
      }
      if (answered === 'success') metrics.recordSuccess(started, end);
      else metrics.recordFailure(started, end);
      this.ended(answered, undefined, end - started, primaryError, end, firstChunkMs);
    });
  }

  /** `recordedFrom` is what the latency histogram is given: `started` when sampled, else NaN. */
  private finishFailure(
    error: unknown,
    reason: RejectionReason | undefined,
    started: number,
    recordedFrom: number,
  ): void {
    const now = this.env.clock.now();
    this.metrics.recordFailure(recordedFrom, now);
    this.ended('failure', reason, now - started, error, now);
  }

  /** A call ended: told to the recorders, and to observers of `onCallEnd`. */
  private ended(
    outcome: 'success' | 'fallback' | 'failure',
    reason: RejectionReason | undefined,
    durationMs: number,
    error: unknown,
    at: number,
    firstChunkMs?: number,
  ): void {
    const { recorders, callEndsWatched } = this.env;
    if (recorders.length > 0) {
      const source = outcome === 'fallback' ? 'fallback' : undefined;
      for (const recorder of recorders) {
        recorder.callEnded(this.name, outcome, reason, source, durationMs);
      }
    }
    if (callEndsWatched) this.emitEnd(outcome, reason, durationMs, error, at, firstChunkMs);
  }

  private emitEnd(
    outcome: 'success' | 'fallback' | 'failure',
    reason: RejectionReason | undefined,
    durationMs: number,
    error: unknown,
    at: number,
    firstChunkMs: number | undefined,
  ): void {
    const hub = this.env.hub;
    if (outcome === 'success' && firstChunkMs === undefined) {
      // The common event, built without the spreads the others need (this is per call:
      // BENCHMARKS.md "`resilience.execute()` with 10 event-stream clients ÷ without").
      hub?.emit('onCallEnd', { operation: this.name, outcome, rejected: false, durationMs, at });
      return;
    }
    hub?.emit('onCallEnd', {
      operation: this.name,
      outcome,
      rejected: reason !== undefined,
      ...(reason === undefined ? {} : { reason }),
      ...(outcome === 'fallback' ? { source: 'fallback' } : {}),
      durationMs,
      ...(error === undefined ? {} : { error }),
      ...(firstChunkMs === undefined ? {} : { firstChunkMs }),
      at,
    });
  }
}
