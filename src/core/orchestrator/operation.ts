import type { Clock } from '../clock.js';
import { isCircuitOpenError, isLocalRejection } from '../errors/index.js';
import type { EventHub } from '../events.js';
import { releasedAfter } from '../call-context.js';
import { OperationMetrics } from '../metrics/operation-metrics.js';
import { RUN, invoke, rootContext, type Operation, type Provenance } from '../policy.js';
import type { Layers } from './layers.js';
import type { ObserverEvents } from './observer.js';
import type { CodeSettings } from './resolve.js';

/** A fallback as the orchestrator runs it: the caller's arguments are already bound. */
export type BoundFallback<T> = (error: unknown) => T | PromiseLike<T>;

/** What every operation shares with the orchestrator that owns it. */
export interface OperationEnv {
  readonly clock: Clock;
  readonly isTransient: (error: unknown) => boolean;
  /** Created on the first `observe`; undefined while nobody observes. */
  hub: EventHub<ObserverEvents> | undefined;
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
    this.metrics = new OperationMetrics(name);
  }

  run<T>(
    fn: Operation<T>,
    signal: AbortSignal | undefined,
    fallback: BoundFallback<T> | undefined,
    provenance: Provenance | undefined,
  ): Promise<T> {
    const { metrics, env } = this;
    metrics.totalCalls++;
    const hub = env.hub;
    // Observers get every call's duration; otherwise only the calls the metrics sample.
    const timed =
      (hub !== undefined && (hub.has('onCallStart') || hub.has('onCallEnd'))) ||
      metrics.timeThisCall();
    const started = timed ? env.clock.now() : Number.NaN;
    if (hub?.has('onCallStart')) hub.emit('onCallStart', { operation: this.name, at: started });
    const layers = this.layers;
    // Every call has a context of its own (its signal is made only if read, see CallContext).
    const ctx = rootContext(signal, this.name, provenance);
    const target = provenance === undefined ? fn : counted(fn, provenance);
    const running =
      layers.policy === undefined ? invoke(target, ctx) : layers.policy[RUN](target, ctx);
    const pending = signal === undefined ? running : releasedAfter(ctx, running);
    // The common call (untimed, no fallback, nobody watching calls) settles through handlers
    // made once per operation: it needs nothing of its own when it ends, so no closure per
    // call. `timed` is set whenever an observer listens for calls; observers of transitions
    // or configuration alone (a dashboard's event stream) leave this path as it is.
    if (!timed && fallback === undefined) {
      return pending.then(
        (this.onValue ??= (value) => this.succeededUntimed(value)),
        (this.onError ??= (error) => this.failedUntimed(error)),
      ) as Promise<T>;
    }
    return pending.then(
      (value) => {
        const now = env.clock.now();
        metrics.recordSuccess(started, now);
        if (hub?.has('onCallEnd')) this.emitEnd('success', false, now - started, undefined, now);
        return value;
      },
      (error: unknown) => this.failed(error, layers, started, signal, fallback, provenance),
    );
  }

  private succeededUntimed(value: unknown): unknown {
    this.metrics.recordSuccess(Number.NaN, this.env.clock.now());
    return value;
  }

  private failedUntimed(error: unknown): Promise<never> {
    const rejected = isLocalRejection(error);
    if (rejected) this.metrics.rejectedCalls++;
    this.finishFailure(error, rejected, Number.NaN);
    return Promise.reject(error);
  }

  private fallbackApplies(
    error: unknown,
    layers: Layers,
    signal: AbortSignal | undefined,
  ): boolean {
    const when = layers.resolved.fallback;
    if (when === false || signal?.aborted === true) return false;
    if (isCircuitOpenError(error)) return when.whenOpen !== false;
    if (isLocalRejection(error)) return when.whenRejected !== false;
    if (this.env.isTransient(error)) return when.whenExhausted !== false;
    return when.whenPermanent === true;
  }

  private failed<T>(
    error: unknown,
    layers: Layers,
    started: number,
    signal: AbortSignal | undefined,
    fallback: BoundFallback<T> | undefined,
    provenance: Provenance | undefined,
  ): Promise<T> {
    const { metrics, env } = this;
    const rejected = isLocalRejection(error);
    if (rejected) metrics.rejectedCalls++;
    if (fallback === undefined || !this.fallbackApplies(error, layers, signal)) {
      this.finishFailure(error, rejected, started);
      return Promise.reject(error);
    }
    return invoke(() => fallback(error), rootContext(signal, this.name)).then(
      (value) => {
        const now = env.clock.now();
        metrics.fallbackCalls++;
        metrics.recordFailure(started, now);
        if (provenance !== undefined) {
          provenance.fromFallback = true;
          provenance.source = 'fallback';
        }
        if (env.hub?.has('onCallEnd')) {
          this.emitEnd('fallback', rejected, now - started, error, now);
        }
        return value;
      },
      (fallbackError: unknown) => {
        this.finishFailure(fallbackError, rejected, started);
        return Promise.reject(fallbackError);
      },
    );
  }

  private finishFailure(error: unknown, rejected: boolean, started: number): void {
    const now = this.env.clock.now();
    this.metrics.recordFailure(started, now);
    if (this.env.hub?.has('onCallEnd')) {
      this.emitEnd('failure', rejected, now - started, error, now);
    }
  }

  private emitEnd(
    outcome: 'success' | 'fallback' | 'failure',
    rejected: boolean,
    durationMs: number,
    error: unknown,
    at: number,
  ): void {
    this.env.hub?.emit('onCallEnd', {
      operation: this.name,
      outcome,
      rejected,
      durationMs,
      ...(error === undefined ? {} : { error }),
      at,
    });
  }
}
