import { systemClock, wallTimeOf, type Clock } from '../clock.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import { abortable } from './abortable.js';
import { describeFailure, runBounded, type CheckOutcome } from './bounded.js';
import { toCheckFunction, type CheckFunction, type HealthCheckable } from './checkable.js';
import {
  MAX_TIMER_MS,
  numberOption,
  optionalFunction,
  checkOptions,
  checkClock,
} from '../option-checks.js';

/** A snapshot of a probe, shaped for a health endpoint. */
export interface HealthStatus {
  readonly name: string | undefined;
  /** The last check's answer; `undefined` before the first check. */
  readonly healthy: boolean | undefined;
  /** True once `consecutiveFailures` reached `unhealthyThreshold`, until the next success. */
  readonly isUnhealthy: boolean;
  readonly consecutiveFailures: number;
  readonly unhealthyThreshold: number;
  /** Clock time (ms) when the last check finished. */
  readonly lastCheckedAt: number | undefined;
  readonly lastDurationMs: number | undefined;
  /** Why the last check failed (`TimeoutError: …`, the thrown message, `answered false`). */
  readonly lastError: string | undefined;
  /** A check is running now. */
  readonly checking: boolean;
}

/** One finished underlying check (cached answers emit nothing). */
export interface HealthCheckEvent {
  readonly healthy: boolean;
  readonly durationMs: number;
  /** The thrown error, a `TimeoutError`, or `undefined` for a plain answer. */
  readonly error: unknown;
}

export type HealthCallback = (status: HealthStatus) => void | PromiseLike<void>;

export interface HealthProbeOptions {
  /** The check itself: a function (given a signal that aborts on timeout) or any `HealthCheckable`. */
  readonly check: CheckFunction | HealthCheckable;
  /** Shown in `status()`. */
  readonly name?: string;
  /** How long an answer is reused (default 30 000; 0 = never). */
  readonly cacheTtlMs?: number;
  /** A check still running after this long counts as a failure (default 10 000; Infinity = none). */
  readonly timeoutMs?: number;
  /** Consecutive failures that make the probe unhealthy (default 3). */
  readonly unhealthyThreshold?: number;
  /** Called once each time the probe becomes unhealthy. */
  readonly onUnhealthy?: HealthCallback;
  /** Called once each time an unhealthy probe sees a success. */
  readonly onHealthy?: HealthCallback;
  readonly clock?: Clock;
}

export interface CheckOptions {
  /** Ignore the cached answer (a check already running is still joined). */
  readonly force?: boolean | undefined;
  /** Stops this caller's wait (rejecting with the reason); the shared check goes on. */
  readonly signal?: AbortSignal | undefined;
}

interface HealthProbeEvents {
  unhealthy: HealthStatus;
  healthy: HealthStatus;
  check: HealthCheckEvent;
}

const OWNER = 'HealthProbe';
const TRUE = Promise.resolve(true);
const FALSE = Promise.resolve(false);

/**
 * A cached, single-flighted health check that counts consecutive failures and flips
 * between healthy and unhealthy at a threshold. `check()` never rejects because of the
 * check itself: a throw or a timeout is simply `false`.
 */
export class HealthProbe implements HealthCheckable {
  readonly name: string | undefined;
  readonly cacheTtlMs: number;
  readonly timeoutMs: number;
  readonly unhealthyThreshold: number;
  private readonly run: CheckFunction;
  private readonly clock: Clock;
  private hub: EventHub<HealthProbeEvents> | undefined;
  private inflight: Promise<boolean> | undefined;
  /**
   * An already-settled promise of the last answer, so a cache hit allocates nothing
   * (BENCHMARKS.md "HealthProbe.check() (cached)").
   */
  private cached: Promise<boolean> | undefined;
  private checkedAt = 0;
  private lastOutcome: CheckOutcome | undefined;
  private lastDurationMs: number | undefined;
  private failures = 0;
  private unhealthy = false;
  /** Bumped by `reset()`, so a check started before it cannot write its answer after it. */
  private generation = 0;

  constructor(options: HealthProbeOptions) {
    checkOptions(OWNER, options);
    this.run = toCheckFunction(OWNER, 'check', options.check, 'check');
    this.name = options.name;
    this.cacheTtlMs = numberOption(OWNER, 'cacheTtlMs', options.cacheTtlMs, 30_000, {
      min: 0,
      infinite: true,
    });
    this.timeoutMs = numberOption(OWNER, 'timeoutMs', options.timeoutMs, 10_000, {
      min: 0,
      above: true,
      max: MAX_TIMER_MS,
      infinite: true,
    });
    this.unhealthyThreshold = numberOption(
      OWNER,
      'unhealthyThreshold',
      options.unhealthyThreshold,
      3,
      { min: 1, integer: true },
    );
    optionalFunction(OWNER, 'onUnhealthy', options.onUnhealthy);
    optionalFunction(OWNER, 'onHealthy', options.onHealthy);
    this.clock = checkClock(OWNER, options.clock) ?? systemClock;
    if (options.onUnhealthy !== undefined) this.onUnhealthy(options.onUnhealthy);
    if (options.onHealthy !== undefined) this.onHealthy(options.onHealthy);
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  get isUnhealthy(): boolean {
    return this.unhealthy;
  }

  /**
   * Resolves `true` when healthy. Answers from the cache within `cacheTtlMs` of the last
   * check (unless `force`); concurrent callers share one running check.
   */
  check(options?: CheckOptions): Promise<boolean> {
    let answer = this.inflight;
    if (answer === undefined) {
      const cached = this.cached;
      const age = this.clock.now() - this.checkedAt;
      // A negative age is a clock that stepped back: the answer's age is unknown, so check.
      const fresh =
        cached !== undefined && options?.force !== true && age >= 0 && age < this.cacheTtlMs;
      answer = fresh ? cached : this.startCheck();
    }
    const signal = options?.signal;
    return signal === undefined ? answer : abortable(answer, signal);
  }

  /** Forgets the cached answer, the failure count and the unhealthy flag (no callback is called). */
  reset(): void {
    this.generation++;
    this.inflight = undefined;
    this.cached = undefined;
    this.checkedAt = 0;
    this.lastOutcome = undefined;
    this.lastDurationMs = undefined;
    this.failures = 0;
    this.unhealthy = false;
  }

  status(): HealthStatus {
    const outcome = this.lastOutcome;
    return {
      name: this.name,
      healthy: outcome?.ok,
      isUnhealthy: this.unhealthy,
      consecutiveFailures: this.failures,
      unhealthyThreshold: this.unhealthyThreshold,
      lastCheckedAt: outcome === undefined ? undefined : wallTimeOf(this.clock, this.checkedAt),
      lastDurationMs: this.lastDurationMs,
      lastError: outcome === undefined || outcome.ok ? undefined : describeFailure(outcome),
      checking: this.inflight !== undefined,
    };
  }

  onUnhealthy(listener: Listener<HealthStatus>): Unsubscribe {
    return this.events().on('unhealthy', listener);
  }

  onHealthy(listener: Listener<HealthStatus>): Unsubscribe {
    return this.events().on('healthy', listener);
  }

  /** Every underlying check as it finishes (not cache hits). */
  onCheck(listener: Listener<HealthCheckEvent>): Unsubscribe {
    return this.events().on('check', listener);
  }

  private events(): EventHub<HealthProbeEvents> {
    return (this.hub ??= new EventHub<HealthProbeEvents>());
  }

  private startCheck(): Promise<boolean> {
    const generation = this.generation;
    const startedAt = this.clock.now();
    const answer = runBounded(this.run, this.timeoutMs).then((outcome) => {
      if (generation === this.generation) this.record(outcome, startedAt);
      return outcome.ok;
    });
    this.inflight = answer;
    return answer;
  }

  private record(outcome: CheckOutcome, startedAt: number): void {
    const now = this.clock.now();
    this.inflight = undefined;
    this.cached = outcome.ok ? TRUE : FALSE;
    this.checkedAt = now;
    this.lastOutcome = outcome;
    this.lastDurationMs = now - startedAt;
    let flipped: 'healthy' | 'unhealthy' | undefined;
    if (outcome.ok) {
      this.failures = 0;
      if (this.unhealthy) {
        this.unhealthy = false;
        flipped = 'healthy';
      }
    } else {
      this.failures++;
      if (!this.unhealthy && this.failures >= this.unhealthyThreshold) {
        this.unhealthy = true;
        flipped = 'unhealthy';
      }
    }
    const hub = this.hub;
    if (hub === undefined) return;
    if (hub.has('check')) {
      hub.emit('check', {
        healthy: outcome.ok,
        durationMs: now - startedAt,
        error: outcome.error,
      });
    }
    if (flipped !== undefined) hub.emit(flipped, this.status());
  }
}
