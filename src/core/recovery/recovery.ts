import type { Backoff } from '../backoff/backoff.js';
import { exponential } from '../backoff/strategies.js';
import { systemClock, wallTimeOf, type Clock } from '../clock.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import type { SuccessEvent } from '../outcome-events.js';
import { describeFailure, runBounded } from '../health/bounded.js';
import { toCheckFunction } from '../health/checkable.js';
import {
  MAX_TIMER_MS,
  numberOption,
  optionalFunction,
  checkOptions,
  checkClock,
} from '../option-checks.js';
import { unrefTimer } from '../timers.js';
import type { Recoverable, RecoverFunction } from './recoverable.js';

export type RecoveryState = 'idle' | 'recovering' | 'paused' | 'succeeded';

export interface RecoveryStateChange {
  readonly from: RecoveryState;
  readonly to: RecoveryState;
}

/** One finished attempt. */
export interface RecoveryAttemptEvent {
  /** 1 for the first attempt since `start()` or `resume()`. */
  readonly attempt: number;
  readonly ok: boolean;
  /** The thrown error, a `TimeoutError`, or `undefined` for a plain `false`. */
  readonly error: unknown;
  readonly durationMs: number;
  /** The wait before the next attempt; `undefined` when there is none (recovered or paused). */
  readonly nextDelayMs: number | undefined;
}

export interface RecoveryPausedEvent {
  readonly attempts: number;
  readonly elapsedMs: number;
  /** Which limit of the safety valve was reached. */
  readonly reason: 'maxAttempts' | 'maxTotalMs';
}

export interface RecoveryStatus {
  readonly name: string | undefined;
  readonly state: RecoveryState;
  /** Attempts since `start()` or `resume()`. */
  readonly attempts: number;
  /** Clock time of the next attempt while waiting for it. */
  readonly nextAttemptAt: number | undefined;
  /** Why the last attempt failed. */
  readonly lastError: string | undefined;
}

export interface BackgroundRecoveryOptions {
  /** One recovery attempt: a function (given a signal) or any `Recoverable`. */
  readonly recover: RecoverFunction | Recoverable;
  readonly name?: string;
  /** Wait after the first failed attempt (default 5 000). */
  readonly baseDelayMs?: number;
  /** Longest wait between attempts (default 300 000). */
  readonly maxDelayMs?: number;
  /** Growth of the wait per failed attempt (default 2). */
  readonly multiplier?: number;
  /** Fraction of the wait moved at random, 0…1 (default 0.1 → ±10 %). */
  readonly jitter?: number;
  /** An attempt still running after this long counts as failed (default 30 000; Infinity = none). */
  readonly timeoutMs?: number;
  /** Safety valve: pause after this many attempts (default Infinity). */
  readonly maxAttempts?: number;
  /** Safety valve: pause once this long has passed since start/resume (default Infinity). */
  readonly maxTotalMs?: number;
  /** After `notifyConditionsChanged()`, the next wait is multiplied by this, 0…1 (default 0.25). */
  readonly speedupFactor?: number;
  readonly onSuccess?: (event: SuccessEvent) => void | PromiseLike<void>;
  readonly onPaused?: (event: RecoveryPausedEvent) => void | PromiseLike<void>;
  readonly clock?: Clock;
  /** Source of jitter, in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
}

interface RecoveryEvents {
  stateChange: RecoveryStateChange;
  attempt: RecoveryAttemptEvent;
  success: SuccessEvent;
  paused: RecoveryPausedEvent;
}

/** One run of the loop, from `start()`/`resume()` to success, pause or `stop()`. */
interface Run {
  readonly controller: AbortController;
  readonly startedAt: number;
  done: Promise<void>;
}

const OWNER = 'BackgroundRecovery';
const RESOLVED = Promise.resolve();

/**
 * Keeps trying to recover something in the background, with exponential backoff and
 * jitter between attempts, until it succeeds, the safety valve pauses it, or it is stopped.
 * The first attempt runs at `start()`. No timer of it keeps the process alive.
 */
export class BackgroundRecovery {
  readonly name: string | undefined;
  private readonly recoverFn: RecoverFunction;
  /** Waits between attempts: exponential, capped at `maxDelayMs`, jittered by ±`jitter`. */
  private readonly backoff: Backoff;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxTotalMs: number;
  private readonly speedupFactor: number;
  private readonly clock: Clock;
  private hub: EventHub<RecoveryEvents> | undefined;
  private current: RecoveryState = 'idle';
  private run: Run | undefined;
  private stopping: Promise<void> = RESOLVED;
  private attemptCount = 0;
  private lastError: string | undefined;
  private nextAttemptAt: number | undefined;
  /** Set by `notifyConditionsChanged()`: the next computed wait is shortened. */
  private speedup = false;
  /** Ends the current wait early; present only while waiting. */
  private wake: (() => void) | undefined;

  constructor(options: BackgroundRecoveryOptions) {
    checkOptions(OWNER, options);
    this.recoverFn = toCheckFunction(OWNER, 'recover', options.recover, 'recover');
    this.name = options.name;
    const maxDelayMs = numberOption(OWNER, 'maxDelayMs', options.maxDelayMs, 300_000, {
      min: 0,
      max: MAX_TIMER_MS,
    });
    const baseDelayMs = numberOption(OWNER, 'baseDelayMs', options.baseDelayMs, 5_000, {
      min: 0,
      max: maxDelayMs,
    });
    const multiplier = numberOption(OWNER, 'multiplier', options.multiplier, 2, { min: 1 });
    const jitter = numberOption(OWNER, 'jitter', options.jitter, 0.1, { min: 0, max: 1 });
    optionalFunction(OWNER, 'random', options.random);
    this.backoff = exponential({
      initialMs: baseDelayMs,
      maxMs: maxDelayMs,
      multiplier,
      // 'none' draws no random number, so an injected random source sees only jittered waits.
      jitter: jitter === 0 ? 'none' : jitter,
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    this.timeoutMs = numberOption(OWNER, 'timeoutMs', options.timeoutMs, 30_000, {
      min: 0,
      above: true,
      max: MAX_TIMER_MS,
      infinite: true,
    });
    this.maxAttempts = numberOption(OWNER, 'maxAttempts', options.maxAttempts, Infinity, {
      min: 1,
      integer: true,
      infinite: true,
    });
    this.maxTotalMs = numberOption(OWNER, 'maxTotalMs', options.maxTotalMs, Infinity, {
      min: 0,
      above: true,
      infinite: true,
    });
    this.speedupFactor = numberOption(OWNER, 'speedupFactor', options.speedupFactor, 0.25, {
      min: 0,
      max: 1,
    });
    optionalFunction(OWNER, 'onSuccess', options.onSuccess);
    optionalFunction(OWNER, 'onPaused', options.onPaused);
    this.clock = checkClock(OWNER, options.clock) ?? systemClock;
    if (options.onSuccess !== undefined) this.onSuccess(options.onSuccess);
    if (options.onPaused !== undefined) this.onPaused(options.onPaused);
  }

  get state(): RecoveryState {
    return this.current;
  }

  /** Attempts made since the last `start()` or `resume()`. */
  get attempts(): number {
    return this.attemptCount;
  }

  /**
   * Starts recovering: the first attempt runs now. Does nothing while already recovering;
   * from `idle`, `succeeded` or `paused` it begins afresh with a full budget.
   */
  start(): void {
    if (this.run === undefined) this.begin();
  }

  /** Continues a paused recovery with a fresh budget (attempts and time); otherwise does nothing. */
  resume(): void {
    if (this.current === 'paused') this.begin();
  }

  /**
   * Something changed that may let recovery succeed (network back, daemon restarted): a
   * waiting loop attempts at once, and the next wait is multiplied by `speedupFactor`.
   * Does nothing unless recovering.
   */
  notifyConditionsChanged(): void {
    if (this.run === undefined) return;
    this.speedup = true;
    this.wake?.();
  }

  /**
   * Stops the loop: a wait ends, a running attempt's signal aborts (its late answer is
   * ignored). Resolves once the loop is over, leaving no timer; calling it again is harmless.
   * The state becomes `idle`, except `succeeded`, which stays.
   */
  stop(): Promise<void> {
    const run = this.run;
    if (run !== undefined) {
      this.run = undefined;
      this.nextAttemptAt = undefined;
      run.controller.abort();
      this.stopping = run.done;
      this.setState('idle');
    } else if (this.current === 'paused') {
      this.setState('idle');
    }
    return this.stopping;
  }

  status(): RecoveryStatus {
    return {
      name: this.name,
      state: this.current,
      attempts: this.attemptCount,
      nextAttemptAt:
        this.nextAttemptAt === undefined ? undefined : wallTimeOf(this.clock, this.nextAttemptAt),
      lastError: this.lastError,
    };
  }

  onStateChange(listener: Listener<RecoveryStateChange>): Unsubscribe {
    return this.events().on('stateChange', listener);
  }

  onAttempt(listener: Listener<RecoveryAttemptEvent>): Unsubscribe {
    return this.events().on('attempt', listener);
  }

  onSuccess(listener: Listener<SuccessEvent>): Unsubscribe {
    return this.events().on('success', listener);
  }

  onPaused(listener: Listener<RecoveryPausedEvent>): Unsubscribe {
    return this.events().on('paused', listener);
  }

  private events(): EventHub<RecoveryEvents> {
    return (this.hub ??= new EventHub<RecoveryEvents>());
  }

  private setState(to: RecoveryState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.hub?.emit('stateChange', { from, to });
  }

  private begin(): void {
    this.attemptCount = 0;
    this.lastError = undefined;
    this.speedup = false;
    const run: Run = {
      controller: new AbortController(),
      startedAt: this.clock.now(),
      done: RESOLVED,
    };
    this.run = run;
    this.setState('recovering');
    // The loop's first attempt starts synchronously, inside this call.
    run.done = this.loop(run);
  }

  private async loop(run: Run): Promise<void> {
    const signal = run.controller.signal;
    for (;;) {
      const attempt = ++this.attemptCount;
      const attemptStart = this.clock.now();
      const outcome = await runBounded(this.recoverFn, this.timeoutMs, signal);
      if (signal.aborted) return;
      const now = this.clock.now();
      const durationMs = now - attemptStart;
      this.lastError = outcome.ok ? undefined : describeFailure(outcome);
      if (outcome.ok) {
        this.emitAttempt(attempt, true, outcome.error, durationMs, undefined);
        if (signal.aborted) return;
        this.finish('succeeded');
        this.hub?.emit('success', { attempts: attempt, durationMs: now - run.startedAt });
        return;
      }
      const valve = this.safetyValve(attempt, now - run.startedAt);
      if (valve !== undefined) {
        this.emitAttempt(attempt, false, outcome.error, durationMs, undefined);
        if (signal.aborted) return;
        this.pause(run, valve);
        return;
      }
      const delayMs = this.nextDelay(attempt, run.startedAt + this.maxTotalMs - now);
      this.emitAttempt(attempt, false, outcome.error, durationMs, delayMs);
      // A listener may have stopped the loop; `wait` then returns at once.
      await this.wait(delayMs, signal);
      if (signal.aborted) return;
      if (this.clock.now() - run.startedAt >= this.maxTotalMs) {
        this.pause(run, 'maxTotalMs');
        return;
      }
    }
  }

  private safetyValve(
    attempt: number,
    elapsedMs: number,
  ): RecoveryPausedEvent['reason'] | undefined {
    if (attempt >= this.maxAttempts) return 'maxAttempts';
    if (elapsedMs >= this.maxTotalMs) return 'maxTotalMs';
    return undefined;
  }

  /** The backoff for `attempt`, shortened once after a change of conditions, never past the time budget. */
  private nextDelay(attempt: number, budgetLeftMs: number): number {
    let delayMs = this.backoff.delayMs(attempt, 0, undefined);
    if (this.speedup) {
      this.speedup = false;
      delayMs *= this.speedupFactor;
    }
    return Math.min(delayMs, Math.max(budgetLeftMs, 0));
  }

  private finish(state: 'succeeded' | 'paused'): void {
    this.run = undefined;
    this.nextAttemptAt = undefined;
    this.setState(state);
  }

  private pause(run: Run, reason: RecoveryPausedEvent['reason']): void {
    this.finish('paused');
    this.hub?.emit('paused', {
      attempts: this.attemptCount,
      elapsedMs: this.clock.now() - run.startedAt,
      reason,
    });
  }

  private emitAttempt(
    attempt: number,
    ok: boolean,
    error: unknown,
    durationMs: number,
    nextDelayMs: number | undefined,
  ): void {
    if (this.hub?.has('attempt') === true) {
      this.hub.emit('attempt', { attempt, ok, error, durationMs, nextDelayMs });
    }
  }

  /** Waits `ms` (unref'd timer) unless `wake` or the stop signal ends it first. */
  private wait(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return RESOLVED;
    this.nextAttemptAt = this.clock.now() + ms;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) {
          this.wake = undefined;
          this.nextAttemptAt = undefined;
        }
        resolve();
      };
      const timer = unrefTimer(setTimeout(done, ms));
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
}
