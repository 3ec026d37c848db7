import { neverAbortedSignal, sleep } from '../abort.js';
import { NextAttemptContext, abortSource, callerAbort } from '../call-context.js';
import type { Backoff } from '../backoff/backoff.js';
import { retryAfterMs } from '../classification/retry-after.js';
import { RetryExhaustedError } from '../errors/classes.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import {
  MAX_TIMER_MS,
  booleanOption,
  checkInteger,
  checkNumber,
  fail,
  checkOptions,
  checkClock,
} from '../option-checks.js';
import {
  BasePolicy,
  RUN,
  invoke,
  type ExecutionContext,
  type Operation,
  type Provenance,
} from '../policy.js';
import {
  RUN_AROUND,
  runThenPlain,
  type AroundPolicy,
  type InnerLayers,
  type OnFulfilled,
  type OnRejected,
} from '../run-then.js';
import type { RetryBudget } from './budget.js';
import type { FailureEvent, SuccessEvent } from '../outcome-events.js';
import type { GiveUpEvent, GiveUpReason, RetryEvent, RetryEvents } from './events.js';
import { toBackoff, toRetryPredicate, type RetryOptions, type RetryPredicate } from './options.js';

const OWNER = 'retry';

function checkBudget(budget: RetryBudget | undefined): RetryBudget | undefined {
  const valid =
    budget === undefined ||
    (typeof budget === 'object' &&
      budget !== null &&
      typeof budget.tryRetry === 'function' &&
      typeof budget.recordCall === 'function');
  if (!valid) fail(OWNER, 'budget', 'a retry budget (retryBudget())', budget);
  return budget;
}

/**
 * Calls the function again when it fails with an error worth retrying, waiting a backoff
 * between attempts. The first attempt runs with the caller's context as is and its success
 * costs one `.then`; everything else lives on the failure path.
 */
export class RetryPolicy extends BasePolicy implements AroundPolicy {
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  private readonly retryOn: RetryPredicate;
  private readonly retryOnResult: ((result: unknown) => boolean) | undefined;
  private readonly maxElapsedMs: number | undefined;
  private readonly respectRetryAfter: boolean;
  private readonly wrapExhausted: boolean;
  private readonly budget: RetryBudget | undefined;
  private hub: EventHub<RetryEvents> | undefined;
  /**
   * Whether a success (or failure) listener is subscribed, kept on (un)subscription: every
   * call asks, and a field costs less than the hub's lookups (BENCHMARKS.md "`wrap`,
   * balanced strategy").
   */
  private successListened = false;
  private outcomeListened = false;

  constructor(options: RetryOptions = {}) {
    super(checkClock(OWNER, checkOptions(OWNER, options).clock));
    this.maxAttempts = checkInteger(OWNER, 'maxAttempts', options.maxAttempts ?? 3, 1, true);
    this.backoff = toBackoff(options.backoff);
    this.retryOn = toRetryPredicate(options.retryOn);
    const retryOnResult = options.retryOnResult;
    if (retryOnResult !== undefined && typeof retryOnResult !== 'function') {
      fail(OWNER, 'retryOnResult', 'a function (result) => boolean', retryOnResult);
    }
    this.retryOnResult = retryOnResult;
    this.maxElapsedMs =
      options.maxElapsedMs === undefined
        ? undefined
        : checkNumber(OWNER, 'maxElapsedMs', options.maxElapsedMs, { min: 0, infinite: true });
    this.respectRetryAfter = booleanOption(
      OWNER,
      'respectRetryAfter',
      options.respectRetryAfter,
      true,
    );
    this.wrapExhausted = booleanOption(OWNER, 'wrapExhausted', options.wrapExhausted, false);
    this.budget = checkBudget(options.budget);
  }

  onRetry(listener: Listener<RetryEvent>): Unsubscribe {
    return this.events().on('retry', listener);
  }

  onGiveUp(listener: Listener<GiveUpEvent>): Unsubscribe {
    return this.events().on('giveUp', listener);
  }

  onSuccess(listener: Listener<SuccessEvent>): Unsubscribe {
    return this.outcomeSubscription(this.events().on('success', listener));
  }

  onFailure(listener: Listener<FailureEvent>): Unsubscribe {
    return this.outcomeSubscription(this.events().on('failure', listener));
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    this.budget?.recordCall();
    // The clock is read only when something needs the call's duration (NaN: untimed, so a
    // success or failure listener added during the call is not given a made-up duration).
    const started =
      this.maxElapsedMs === undefined && !this.outcomeListened ? Number.NaN : this.clock.now();
    const first = invoke(fn, ctx);
    if (this.retryOnResult === undefined && !this.successListened) {
      return first.then(undefined, (error: unknown) =>
        this.retryLoop(fn, ctx, started, true, error, undefined),
      );
    }
    return first.then(
      (value) =>
        this.retryOnResult?.(value) === true
          ? this.retryLoop(fn, ctx, started, false, undefined, value)
          : this.succeeded(1, started, value),
      (error: unknown) => this.retryLoop(fn, ctx, started, true, error, undefined),
    );
  }

  /**
   * `[RUN]` around the `inner` layers, then `onFulfilled` / `onRejected` (see `RUN_AROUND`):
   * the first attempt's success goes straight to `onFulfilled` in the inner layers' reaction,
   * and no function is composed per call (BENCHMARKS.md "`wrap`, balanced").
   */
  [RUN_AROUND]<T, R>(
    inner: InnerLayers,
    fn: Operation<T>,
    ctx: ExecutionContext,
    onFulfilled: OnFulfilled<T, R>,
    onRejected: OnRejected<R>,
  ): Promise<R> {
    if (this.retryOnResult !== undefined || this.successListened) {
      return runThenPlain(
        this,
        (attempt) => inner.run(fn, attempt as ExecutionContext),
        ctx,
        onFulfilled,
        onRejected,
      );
    }
    this.budget?.recordCall();
    // As in `[RUN]`: the clock is read only when something needs the call's duration.
    const started =
      this.maxElapsedMs === undefined && !this.outcomeListened ? Number.NaN : this.clock.now();
    return inner.runThen(fn, ctx, onFulfilled, (error: unknown) =>
      this.retryLoop(
        (attempt) => inner.run(fn, attempt as ExecutionContext),
        ctx,
        started,
        true,
        error,
        undefined,
      ).then(onFulfilled, onRejected),
    );
  }

  /** Attempts 2 and up, after attempt 1 failed (`rejected`) or returned an unwanted `value`. */
  private async retryLoop<T>(
    fn: Operation<T>,
    ctx: ExecutionContext,
    started: number,
    rejected: boolean,
    error: unknown,
    value: T | undefined,
  ): Promise<T> {
    // The caller's signal, read without making the context's own (clients never see this one).
    const signal = abortSource(ctx);
    const decisionSignal = signal ?? neverAbortedSignal;
    const errors: unknown[] | undefined = this.wrapExhausted ? [] : undefined;
    let attempt = 1;
    let previousDelayMs = 0;
    for (;;) {
      if (rejected) {
        errors?.push(error);
        // After the caller's abort nothing is retried; a permanent error is re-thrown at once.
        if (
          callerAbort(ctx) !== undefined ||
          !this.retryOn(error, { attempt, signal: decisionSignal })
        ) {
          return this.failed(attempt, started, error);
        }
      } else if (callerAbort(ctx) !== undefined) {
        return this.succeeded(attempt, started, value as T);
      }
      const delayMs = this.delayAfter(attempt, previousDelayMs, rejected, error);
      const stop = this.stopReason(attempt, started, delayMs);
      if (stop !== undefined)
        return this.giveUp(stop, attempt, started, rejected, error, value, errors);
      if (this.hub?.has('retry') === true) {
        this.hub.emit('retry', { attempt, delayMs, error, result: value });
      }
      try {
        // A zero delay resolves without a timer; every so often take one anyway, so that an
        // unbounded zero-delay loop still lets timers and I/O run.
        await sleep(delayMs, signal);
        if (delayMs === 0 && attempt % ZERO_DELAY_YIELD_EVERY === 0) await nextMacrotask();
      } catch (reason) {
        return this.failed(attempt, started, reason);
      }
      attempt++;
      previousDelayMs = delayMs;
      // A fallback that answered inside an earlier attempt no longer speaks for the call.
      if (ctx.provenance !== undefined) resetProvenance(ctx.provenance);
      try {
        value = await invoke(fn, new NextAttemptContext(ctx, attempt));
        rejected = false;
        error = undefined;
      } catch (thrown) {
        rejected = true;
        error = thrown;
        value = undefined;
      }
      if (!rejected && this.retryOnResult?.(value) !== true) {
        return this.succeeded(attempt, started, value as T);
      }
    }
  }

  /** The backoff's delay, or the error's own `Retry-After` capped by the backoff's max. */
  private delayAfter(
    attempt: number,
    previousDelayMs: number,
    rejected: boolean,
    error: unknown,
  ): number {
    let delayMs = this.backoff.delayMs(attempt, previousDelayMs, rejected ? error : undefined);
    if (rejected && this.respectRetryAfter) {
      const asked = retryAfterMs(error, this.clock);
      if (asked !== undefined) delayMs = Math.min(asked, this.backoff.maxMs);
    }
    // Whole milliseconds: timers have no finer resolution, and a fraction below 1 would be
    // stretched to 1 ms by setTimeout behind the elapsed-time check's back.
    return delayMs > 0 ? Math.min(Math.round(delayMs), MAX_TIMER_MS) : 0;
  }

  /** Why the next attempt may not happen; the budget is asked last so no retry is taken in vain. */
  private stopReason(attempt: number, started: number, delayMs: number): GiveUpReason | undefined {
    if (attempt >= this.maxAttempts) return 'maxAttempts';
    if (
      this.maxElapsedMs !== undefined &&
      this.clock.now() - started + delayMs > this.maxElapsedMs
    ) {
      return 'maxElapsed';
    }
    if (this.budget !== undefined && !this.budget.tryRetry()) return 'budget';
    return undefined;
  }

  private giveUp<T>(
    reason: GiveUpReason,
    attempts: number,
    started: number,
    rejected: boolean,
    error: unknown,
    value: T | undefined,
    errors: unknown[] | undefined,
  ): T {
    if (this.hub?.has('giveUp') === true) {
      this.hub.emit('giveUp', { attempts, reason, error, result: value });
    }
    if (!rejected) return this.succeeded(attempts, started, value as T);
    return this.failed(
      attempts,
      started,
      errors === undefined ? error : new RetryExhaustedError(attempts, errors),
    );
  }

  private succeeded<T>(attempts: number, started: number, value: T): T {
    if (this.hub?.has('success') === true && !Number.isNaN(started)) {
      this.hub.emit('success', { attempts, durationMs: this.clock.now() - started });
    }
    return value;
  }

  private failed(attempts: number, started: number, error: unknown): never {
    if (this.hub?.has('failure') === true && !Number.isNaN(started)) {
      this.hub.emit('failure', { attempts, error, durationMs: this.clock.now() - started });
    }
    throw error;
  }

  private outcomeSubscription(unsubscribe: Unsubscribe): Unsubscribe {
    this.noteOutcomeListeners();
    return () => {
      unsubscribe();
      this.noteOutcomeListeners();
    };
  }

  private noteOutcomeListeners(): void {
    const hub = this.hub;
    this.successListened = hub?.has('success') === true;
    this.outcomeListened = this.successListened || hub?.has('failure') === true;
  }

  private events(): EventHub<RetryEvents> {
    return (this.hub ??= new EventHub<RetryEvents>());
  }
}

/** Zero-delay retries in a row between two yields to the event loop. */
const ZERO_DELAY_YIELD_EVERY = 32;

const nextMacrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Back to "the protected function answers"; `attempts` keeps counting. */
function resetProvenance(provenance: Provenance): void {
  provenance.fromFallback = false;
  provenance.source = 'primary';
  delete provenance.ageMs;
}

/**
 * A retry policy. `retry()` retries transient errors up to 3 attempts in total, 1 s then
 * 2 s apart (±10 %), honouring `Retry-After`.
 */
export function retry(options: RetryOptions = {}): RetryPolicy {
  return new RetryPolicy(options);
}
