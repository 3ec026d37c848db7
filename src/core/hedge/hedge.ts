import { isTransient } from '../classification/classify.js';
import type { Clock } from '../clock.js';
import { errorPredicate, type ErrorFilter } from '../error-filter.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import {
  checkClock,
  checkInteger,
  checkNumber,
  checkNonNegative,
  fail,
  failRange,
  checkOptions,
} from '../option-checks.js';
import { BasePolicy, RUN, rootContext, type ExecutionContext, type Operation } from '../policy.js';
import { callerAbort } from '../call-context.js';
import { HedgedCall, type HedgeHost } from './hedged-call.js';
import { LatencyWindow } from './latency-window.js';
import { HedgeScheduler, type HedgeTiming } from './scheduler.js';
import { HedgeTicker } from './ticker.js';

/** Hedge after the given percentile of recent successful latencies. */
export interface LatencyPercentile {
  /** e.g. 95 for p95: a number > 0 and ≤ 100. */
  readonly percentile: number;
  /** The delay used until `minSamples` latencies are known (a finite number ≥ 0). */
  readonly initialMs: number;
  /** Latencies remembered (an integer ≥ 1); default 100. */
  readonly window?: number;
  /** Latencies needed before the percentile is trusted (an integer ≥ 1); default 10. */
  readonly minSamples?: number;
}

export interface HedgeOptions {
  /**
   * How long the first attempt may run before another starts: ms, or a latency percentile.
   * A fixed delay is timed in ticks of an eighth of it (1 ms when shorter than 8 ms), so
   * that calls do not read the clock: a hedge starts no sooner than `delayMs` after the
   * attempt before it, and at most one tick later.
   */
  readonly delayMs: number | LatencyPercentile;
  /** Extra attempts allowed per call (an integer ≥ 1); default 1. */
  readonly maxHedges?: number;
  /**
   * Which failures leave room for another attempt (a predicate or error classes); default
   * transient errors (`isTransient`). Any other failure fails the call at once: a request
   * the server refuses as invalid will not fare better the second time.
   */
  readonly on?: ErrorFilter;
  /**
   * Read per attempt for a percentile delay (deadlines and latencies), once per tick for a
   * fixed one; it must advance with the timers (the default does).
   */
  readonly clock?: Clock;
}

export interface HedgeEvents {
  /**
   * Attempt number `attempt` (2 for the first hedge) started `delayMs` after the one before
   * it; with a fixed delay, measured between the ticks the two started in (within a tick).
   */
  hedge: { readonly attempt: number; readonly delayMs: number };
}

/** Extra attempts per call at most: more would multiply the load, not the odds. */
const MAX_HEDGES = 100;
/** Latencies remembered at most (two arrays of doubles of this length). */
const MAX_LATENCY_WINDOW = 100_000;

function checkDelay(delay: unknown): number | LatencyWindowSettings {
  if (typeof delay === 'number') return checkNonNegative('hedge', 'delayMs', delay);
  if (typeof delay !== 'object' || delay === null) {
    return fail('hedge', 'delayMs', 'a number ≥ 0 or { percentile, initialMs }', delay);
  }
  const { percentile, initialMs, window = 100, minSamples = 10 } = delay as LatencyPercentile;
  if (typeof percentile !== 'number' || !(percentile > 0 && percentile <= 100)) {
    failRange('hedge', 'delayMs.percentile', 'a number > 0 and ≤ 100', percentile);
  }
  return {
    percentile,
    initialMs: checkNonNegative('hedge', 'delayMs.initialMs', initialMs),
    window: checkNumber('hedge', 'delayMs.window', window, {
      min: 1,
      max: MAX_LATENCY_WINDOW,
      integer: true,
    }),
    minSamples: checkInteger('hedge', 'delayMs.minSamples', minSamples, 1),
  };
}

type LatencyWindowSettings = Required<LatencyPercentile>;

/**
 * The caller's context of every `execute` without a signal, shared rather than made per call
 * (BENCHMARKS.md "hedge, primary answers first"). A root context is per call so that no two
 * calls' functions get one signal (clients leave listeners on the signal they are given); a
 * hedged call gives its functions its attempts' own signals, and reads this one's only to see
 * that it never aborts.
 */
const UNSIGNALLED = rootContext(undefined);

/**
 * Hedging: when the first attempt has not answered after the delay, start another (up to
 * `maxHedges`); the first success wins and the others' signals abort. An attempt that fails
 * does not fail the call while another runs; when every attempt has run and failed, the
 * call rejects with an `AggregateError` of all their errors.
 */
export class Hedge extends BasePolicy {
  readonly maxHedges: number;
  private readonly fixedDelay: number | undefined;
  private readonly latencies: LatencyWindow | undefined;
  private readonly settings: LatencyWindowSettings | undefined;
  private readonly timing: HedgeTiming;
  private readonly host: HedgeHost;
  private readonly hedgeable: (error: unknown) => boolean;
  private events: EventHub<HedgeEvents> | undefined;

  constructor(options: HedgeOptions) {
    super(checkClock('hedge', checkOptions('hedge', options).clock));
    this.maxHedges = checkNumber('hedge', 'maxHedges', options.maxHedges ?? 1, {
      min: 1,
      max: MAX_HEDGES,
      integer: true,
    });
    const delay = checkDelay(options.delayMs);
    if (typeof delay === 'number') {
      this.fixedDelay = delay;
    } else {
      this.settings = delay;
      this.latencies = new LatencyWindow(delay.window, delay.percentile);
    }
    this.hedgeable = errorPredicate('hedge', 'on', options.on) ?? ((error) => isTransient(error));
    const clock = this.clock;
    const now = (): number => clock.now();
    // A fixed delay is timed in ticks, with no clock read per call; a percentile reads the
    // clock per attempt for its latencies anyway, so it keeps exact deadlines.
    this.timing =
      this.fixedDelay === undefined
        ? new HedgeScheduler(now, () => this.delayMs)
        : new HedgeTicker(this.fixedDelay, now);
    this.host = this.makeHost();
  }

  /** The delay the next hedge would wait, in ms. */
  get delayMs(): number {
    if (this.fixedDelay !== undefined) return this.fixedDelay;
    const latencies = this.latencies;
    const settings = this.settings;
    if (latencies === undefined || settings === undefined) return 0;
    return latencies.length < settings.minSamples ? settings.initialMs : latencies.value();
  }

  /** Calls waiting for a hedge to become due. */
  get waiting(): number {
    return this.timing.pending;
  }

  onHedge(listener: Listener<HedgeEvents['hedge']>): Unsubscribe {
    return (this.events ??= new EventHub()).on('hedge', listener);
  }

  /** `[RUN]` does not throw (its promise's executor catches what `start` throws). */
  override execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    return signal === undefined ? this[RUN](fn, UNSIGNALLED) : super.execute(fn, signal);
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    const aborted = callerAbort(ctx);
    if (aborted !== undefined) return Promise.reject(aborted);
    const host = this.host;
    // A throw from start() rejects the promise: the executor catches it.
    return new Promise<T>((resolve, reject) => {
      new HedgedCall(host, fn, ctx, resolve, reject).start();
    });
  }

  private makeHost(): HedgeHost {
    const clock = this.clock;
    const latencies = this.latencies;
    return {
      maxHedges: this.maxHedges,
      timing: this.timing,
      hedgeStarted: (attempt, delayMs) => this.events?.emit('hedge', { attempt, delayMs }),
      tracksLatency: latencies !== undefined,
      now: () => clock.now(),
      hedgeable: this.hedgeable,
      answered: (ms) => latencies?.record(ms),
    };
  }
}

/** A hedging policy: another attempt after `delayMs` (or a latency percentile) without an answer. */
export function hedge(options: HedgeOptions): Hedge {
  return new Hedge(options);
}
