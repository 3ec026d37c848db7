import { callerAbort, canAbort } from '../call-context.js';
import { hasKind } from '../errors/base.js';
import { wallTimeOf, type Clock } from '../clock.js';
import { circuitOpenRejection, rejectedSoon } from './rejection.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import { SETTLES_LATER, settlesLater, type LateOutcome } from '../late-outcome.js';
import { BasePolicy, RUN, invoke, type ExecutionContext, type Operation } from '../policy.js';
import {
  RUN_THEN,
  runThenPlain,
  type OnFulfilled,
  type OnRejected,
  type SettlingPolicy,
} from '../run-then.js';
import { consecutive } from './consecutive.js';
import type { CircuitBreakerEvents } from './events.js';
import { countsAsFailure } from './is-failure.js';
import type { CircuitStats } from './stats.js';
import { parseSnapshot } from './snapshot.js';
import type { CircuitState } from './state.js';
import type {
  CircuitSettings,
  CircuitSnapshot,
  CircuitStore,
  ProbeRelease,
  StoreLink,
  StoredCircuit,
  TransitionReason,
} from './store.js';
import { STAY, TRIP_FAILURES, type TripStrategy, type TripWindow } from './trip.js';
import { errorPredicate, type ErrorFilter } from '../error-filter.js';
import {
  MAX_TIMER_MS,
  checkClock,
  checkInteger,
  checkName,
  fail,
  optionalFunction,
  checkOptions,
  checkNumber,
} from '../option-checks.js';

export interface CircuitBreakerOptions {
  /** Names the circuit in errors, events, snapshots and stores. Required with a `store`. */
  readonly name?: string;
  /** When to open: `consecutive(5)` (default) or `failureRate({…})`. */
  readonly trip?: TripStrategy;
  /**
   * How long the circuit stays open before a call may probe: milliseconds (default 60 000),
   * or a function of how many times it opened in a row (1, 2, …) for growing break times.
   */
  readonly openMs?: number | ((opens: number) => number);
  /** Concurrent probes allowed in half-open (default 1), and probe successes that close it (default 1). */
  readonly halfOpen?: { readonly maxCalls?: number; readonly successesToClose?: number };
  /**
   * Which errors count as failures: a predicate, an error class or a list of them. Default:
   * transient errors and timeouts; permanent errors do not.
   */
  readonly isFailure?: ErrorFilter;
  /** Where state is persisted or shared; by default it stays in this breaker. */
  readonly store?: CircuitStore;
  readonly clock?: Clock;
  /** A `toJSON()` snapshot to start from (a restart, a migration). */
  readonly initialState?: CircuitSnapshot;
}

// States as small integers on the hot path; the public face is the string.
const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;
const ISOLATED = 3;
const DISABLED = 4;
type StateCode = 0 | 1 | 2 | 3 | 4;
const NAMES: readonly CircuitState[] = ['closed', 'open', 'half-open', 'isolated', 'disabled'];
const CODES: Readonly<Record<CircuitState, StateCode>> = {
  closed: CLOSED,
  open: OPEN,
  'half-open': HALF_OPEN,
  isolated: ISOLATED,
  disabled: DISABLED,
};

/** What a half-open rejection suggests: a probe is under way and will decide shortly. */
const HALF_OPEN_RETRY_AFTER_MS = 1;
const WHERE = 'circuitBreaker';
/** Shared by every breaker made without a `trip`: strategies are immutable. */
const DEFAULT_TRIP = consecutive();

type Settle = (value: unknown) => unknown;

/**
 * A circuit breaker (SPEC §2). Every decision is local and synchronous: closed calls run
 * and are counted; once the trip strategy says so the circuit opens and rejects calls
 * without running them; the first call after the open time probes (half-open), and the
 * probes' outcome closes or reopens it. No timer is ever started.
 */
export class CircuitBreaker extends BasePolicy implements StoredCircuit, SettlingPolicy {
  readonly name: string;
  private readonly trip: TripStrategy;
  private readonly openMsOption: number | ((opens: number) => number);
  private readonly maxProbes: number;
  private readonly successesToClose: number;
  private readonly isFailure: (error: unknown) => boolean;
  /** The store's side of this breaker; gone after `dispose()`. */
  private link: StoreLink | undefined;

  private code: StateCode = CLOSED;
  private version = 0;
  private reason: TransitionReason = 'created';
  private since: number;
  /** When the open time ends (NaN outside open and half-open). */
  private openUntil = Number.NaN;
  /** The open time that `openUntil` ends (bounds the wait when the clock steps back). */
  private openLength = 0;
  private opens = 0;
  private probes = 0;
  private probeSuccesses = 0;
  /** Whether calls in closed may skip timing: no slow-call tracking and nobody listens for durations. */
  private untimed: boolean;
  // Created on first use, so that an idle breaker stays small (BENCHMARKS.md "heap per idle
  // breaker (100,000)").
  private window: TripWindow | undefined;
  private hub: EventHub<CircuitBreakerEvents> | undefined;
  private onValue: Settle | undefined;
  private onError: Settle | undefined;
  // Facts for `stats()`, declared last so that the fields the call path reads keep their places.
  private consecutiveFailures = 0;
  private rejectedCalls = 0;
  private lastFailureAt = Number.NaN;

  constructor(options: CircuitBreakerOptions = {}) {
    super(checkClock(WHERE, checkOptions(WHERE, options).clock));
    const { name = 'circuit', trip = DEFAULT_TRIP, openMs = 60_000, halfOpen = {} } = options;
    checkName(WHERE, 'name', name);
    if (typeof trip?.createWindow !== 'function') {
      fail(WHERE, 'trip', 'consecutive(…) or failureRate(…)', trip);
    }
    if (typeof openMs === 'number')
      checkNumber(WHERE, 'openMs', openMs, { min: 0, max: MAX_TIMER_MS });
    else optionalFunction(WHERE, 'openMs', openMs);
    if (options.store !== undefined && typeof options.store?.attach !== 'function') {
      fail(
        WHERE,
        'store',
        'a CircuitStore (memoryStore(), fileStore(…), redisStore(…))',
        options.store,
      );
    }
    if (options.store !== undefined && options.name === undefined) {
      throw new TypeError(`${WHERE}: name is required with a store, which keys state by name`);
    }
    this.name = name;
    this.trip = trip;
    this.openMsOption = openMs;
    if (typeof halfOpen !== 'object' || halfOpen === null) {
      fail(WHERE, 'halfOpen', 'an object { maxCalls?, successesToClose? }', halfOpen);
    }
    this.maxProbes = checkInteger(WHERE, 'halfOpen.maxCalls', halfOpen.maxCalls ?? 1, 1);
    this.successesToClose = checkInteger(
      WHERE,
      'halfOpen.successesToClose',
      halfOpen.successesToClose ?? 1,
      1,
    );
    this.isFailure = errorPredicate(WHERE, 'isFailure', options.isFailure) ?? countsAsFailure;
    this.untimed = trip.slowCallMs === Infinity;
    this.since = this.clock.now();
    if (options.initialState !== undefined) {
      const snapshot = parseSnapshot(options.initialState);
      if (snapshot === undefined) {
        throw new TypeError(
          `${WHERE}: initialState is not a breaker snapshot (see toJSON(); version and opens are integers from 0 to 2^50)`,
        );
      }
      this.apply(snapshot);
    }
    this.link = options.store?.attach(this);
  }

  /**
   * `'closed'`, `'open'`, `'half-open'`, `'isolated'` or `'disabled'`. An open circuit whose
   * open time is over reads `'half-open'` (the next call probes) without waiting for that
   * call: computed on read, so no breaker needs a timer.
   */
  get state(): CircuitState {
    const code = this.code;
    if (code === OPEN && this.clock.now() >= this.openUntil) return 'half-open';
    return NAMES[code] as CircuitState;
  }

  /** What health endpoints and dashboards show about this breaker, read now. */
  stats(): CircuitStats {
    const now = this.clock.now();
    const held = this.window?.held?.(now) ?? { calls: 0, failures: 0 };
    const description = this.trip.description;
    const open = !Number.isNaN(this.openUntil);
    return {
      name: this.name,
      state: this.state,
      enabled: this.code !== DISABLED,
      failureRate: held.calls === 0 ? 0 : held.failures / held.calls,
      threshold: description.threshold,
      trip: description.kind,
      bufferedCalls: held.calls,
      failedCalls: held.failures,
      rejectedCalls: this.rejectedCalls,
      consecutiveFailures: this.consecutiveFailures,
      // Timestamps for people: wall-clock time (the readings are monotonic by default).
      lastFailureAt: Number.isNaN(this.lastFailureAt)
        ? null
        : wallTimeOf(this.clock, this.lastFailureAt),
      openedAt: open
        ? wallTimeOf(this.clock, this.openUntil - this.openMsFor(Math.max(1, this.opens)))
        : null,
      retryAfterMs: open ? Math.max(0, this.openUntil - now) : null,
      opens: this.opens,
    };
  }

  get settings(): CircuitSettings {
    return {
      trip: this.trip.description,
      halfOpen: { maxCalls: this.maxProbes, successesToClose: this.successesToClose },
      openMs: (opens) => this.openMsFor(opens),
    };
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    const code = this.code;
    if (code === CLOSED || code === DISABLED) {
      if (!this.untimed) return this.runTimed(fn, ctx);
      // The common path: no clock read, no closure per call (BENCHMARKS.md "breaker, closed,
      // success").
      return invoke(fn, ctx).then(
        (this.onValue ??= (value) => this.settleUntimed(value)),
        // A call nothing can abort shares one handler; one that can is asked, if it fails,
        // whether its caller stopped it.
        canAbort(ctx)
          ? (error: unknown) => this.failUntimed(error, ctx)
          : (this.onError ??= (error) => this.failUntimed(error, undefined)),
      ) as Promise<T>;
    }
    if (code === OPEN) {
      const now = this.clock.now();
      if (now < this.openUntil) {
        // Further from the end than a whole open time: the clock stepped back. Wait no longer.
        if (this.openUntil - now > this.openLength) this.openUntil = now + this.openLength;
        return this.reject(this.openUntil - now);
      }
      this.transition(HALF_OPEN, 'open-time-elapsed', now);
    }
    if (this.code === HALF_OPEN) return this.probe(fn, ctx);
    return this.reject(undefined);
  }

  /**
   * `[RUN]` then `onFulfilled` / `onRejected` (see `RUN_THEN`): in closed, untimed, the call's
   * count and the caller's handler share one reaction (BENCHMARKS.md "`wrap`, balanced").
   */
  [RUN_THEN]<T, R>(
    fn: Operation<T>,
    ctx: ExecutionContext,
    onFulfilled: OnFulfilled<T, R>,
    onRejected: OnRejected<R>,
  ): Promise<R> {
    const code = this.code;
    if ((code !== CLOSED && code !== DISABLED) || !this.untimed) {
      return runThenPlain(this, fn, ctx, onFulfilled, onRejected);
    }
    const asked = canAbort(ctx) ? ctx : undefined;
    return invoke(fn, ctx).then(
      (value) => {
        // As `[RUN]` then `.then`: a throw while counting is the call's rejection.
        let settled: unknown;
        try {
          settled = this.settleUntimed(value);
        } catch (error) {
          return onRejected(error);
        }
        return onFulfilled(settled as T);
      },
      (error: unknown) => {
        let reason = error;
        try {
          this.failedUntimed(error, asked);
        } catch (thrown) {
          reason = thrown;
        }
        return onRejected(reason);
      },
    );
  }

  // ── operator commands ────────────────────────────────────────────────────────────

  /** Forces the circuit open until `reset()`: calls are rejected with no `retryAfterMs`. */
  isolate(): void {
    if (this.code !== ISOLATED) this.transition(ISOLATED, 'isolate', this.clock.now());
  }

  /** Closes the circuit and clears its counters, whatever its state. */
  reset(): void {
    this.transition(CLOSED, 'reset', this.clock.now());
  }

  /** Kill switch: every call passes through (and is still counted and reported) until `enable()`. */
  disable(): void {
    if (this.code !== DISABLED) this.transition(DISABLED, 'disable', this.clock.now());
  }

  /** Ends `disable()`: the circuit is closed again, with the outcomes counted meanwhile. */
  enable(): void {
    if (this.code === DISABLED) this.transition(CLOSED, 'enable', this.clock.now());
  }

  /**
   * Detaches the breaker from its store (a removed or replaced breaker): the store forgets
   * it and the state it persisted or shares stays there. The breaker keeps working on its
   * own — calls still in flight settle normally, new calls are decided locally — so that
   * disposing never fails a caller; it simply stops sharing. Idempotent; a no-op without a store.
   */
  dispose(): void {
    const link = this.link;
    if (link === undefined) return;
    this.link = undefined;
    try {
      link.detach?.();
    } catch {
      // A store never fails its caller.
    }
  }

  // ── state as data ────────────────────────────────────────────────────────────────

  toJSON(): CircuitSnapshot {
    return {
      name: this.name,
      state: NAMES[this.code] as CircuitState,
      version: this.version,
      reason: this.reason,
      since: this.since,
      openUntil: Number.isNaN(this.openUntil) ? null : this.openUntil,
      opens: this.opens,
    };
  }

  adopt(snapshot: CircuitSnapshot): boolean {
    const next = parseSnapshot(snapshot);
    if (next === undefined || next.version < this.version) return false;
    if (next.version === this.version && this.sameAs(next)) return false;
    const from = this.code;
    this.apply(next);
    if (from !== this.code) this.announce(from, true);
    return true;
  }

  // ── events ───────────────────────────────────────────────────────────────────────

  onStateChange(listener: Listener<CircuitBreakerEvents['stateChange']>): Unsubscribe {
    return this.events().on('stateChange', listener);
  }

  /** A counted call succeeded (in closed, half-open or disabled). */
  onSuccess(listener: Listener<CircuitBreakerEvents['success']>): Unsubscribe {
    return this.timedSubscription('success', listener);
  }

  /** A call failed with an error that `isFailure` counts. */
  onFailure(listener: Listener<CircuitBreakerEvents['failure']>): Unsubscribe {
    return this.timedSubscription('failure', listener);
  }

  /** A call failed with an error that `isFailure` excludes. */
  onIgnoredError(listener: Listener<CircuitBreakerEvents['ignoredError']>): Unsubscribe {
    return this.events().on('ignoredError', listener);
  }

  /** A call was rejected without running. */
  onRejected(listener: Listener<CircuitBreakerEvents['rejected']>): Unsubscribe {
    return this.events().on('rejected', listener);
  }

  private events(): EventHub<CircuitBreakerEvents> {
    return (this.hub ??= new EventHub<CircuitBreakerEvents>());
  }

  /** Success and failure events carry a duration, so closed calls are timed while someone listens. */
  private timedSubscription<K extends 'success' | 'failure'>(
    name: K,
    listener: Listener<CircuitBreakerEvents[K]>,
  ): Unsubscribe {
    const unsubscribe = this.events().on(name, listener);
    this.untimed = false;
    return () => {
      unsubscribe();
      const hub = this.hub;
      this.untimed =
        this.trip.slowCallMs === Infinity &&
        !(hub !== undefined && (hub.has('success') || hub.has('failure')));
    };
  }

  // ── closed and disabled ──────────────────────────────────────────────────────────

  private settleUntimed(value: unknown): unknown {
    if (settlesLater(value)) {
      // A stream's verdict is its own, not a caller's abort: judged without the context.
      value[SETTLES_LATER]((outcome) => {
        if (outcome.failed) this.failedUntimed(outcome.error, undefined);
        else this.count(false, false);
      });
    } else this.count(false, false);
    return value;
  }

  private failUntimed(error: unknown, ctx: ExecutionContext | undefined): never {
    this.failedUntimed(error, ctx);
    throw error;
  }

  private failedUntimed(error: unknown, ctx: ExecutionContext | undefined): void {
    if (this.counts(error, ctx)) this.count(true, false);
    else this.ignored(error);
  }

  private runTimed<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    const started = this.clock.now();
    return invoke(fn, ctx).then(
      (value) => {
        if (settlesLater(value)) {
          // A stream: its latency is the time to its first chunk, its outcome comes at its end.
          const answeredMs = this.clock.now() - started;
          value[SETTLES_LATER]((outcome) =>
            this.settleTimed(started, outcome.failed, outcome.error, undefined, answeredMs),
          );
        } else this.settleTimed(started, false, undefined, ctx);
        return value;
      },
      (error: unknown) => {
        this.settleTimed(started, true, error, ctx);
        throw error;
      },
    );
  }

  private settleTimed(
    started: number,
    threw: boolean,
    error: unknown,
    ctx: ExecutionContext | undefined,
    durationMs = this.clock.now() - started,
  ): void {
    if (threw && !this.counts(error, ctx)) return this.ignored(error);
    const slow = durationMs > this.trip.slowCallMs;
    this.report(threw, error, durationMs);
    this.count(threw, slow);
  }

  /** Counts one call that ran in closed or disabled, and opens the circuit when the strategy says so. */
  private count(failure: boolean, slow: boolean): void {
    this.share(failure, slow);
    const code = this.code;
    // A call that settles after the circuit left closed (opened by another call, adopted
    // from the store) says nothing about the new state.
    if (code !== CLOSED && code !== DISABLED) return;
    if (failure) {
      this.consecutiveFailures++;
      this.lastFailureAt = this.clock.now();
    } else this.consecutiveFailures = 0;
    const trip = this.trip;
    const now = trip.needsTime ? this.clock.now() : 0;
    const verdict = (this.window ??= trip.createWindow()).record(failure, slow, now);
    if (verdict === STAY || code === DISABLED) return;
    this.transition(
      OPEN,
      verdict === TRIP_FAILURES ? 'failures' : 'slow-calls',
      trip.needsTime ? now : this.clock.now(),
    );
  }

  // ── half-open ────────────────────────────────────────────────────────────────────

  private probe<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    if (this.probes >= this.maxProbes) return this.reject(HALF_OPEN_RETRY_AFTER_MS);
    this.probes++;
    const epoch = this.version;
    const link = this.link;
    if (link?.claimProbe === undefined) return this.runProbe(fn, ctx, epoch, undefined);
    let claim: Promise<ProbeRelease | undefined>;
    try {
      claim = link.claimProbe();
    } catch {
      return this.runProbe(fn, ctx, epoch, undefined);
    }
    return claim.then(
      (release) => this.claimed(fn, ctx, epoch, release),
      () => this.claimed(fn, ctx, epoch, noRelease),
    );
  }

  /** Runs a probe once the fleet answered the claim; `noRelease` means the store failed and the local slot decides. */
  private claimed<T>(
    fn: Operation<T>,
    ctx: ExecutionContext,
    epoch: number,
    release: ProbeRelease | undefined,
  ): Promise<T> {
    if (release === undefined) {
      if (this.version === epoch) {
        this.probes--;
        return this.reject(HALF_OPEN_RETRY_AFTER_MS);
      }
      // Refused because the fleet had moved on (a newer state came with the answer, e.g.
      // closed): the current state decides, as when a granted claim finds the state changed.
      const abortedMeanwhile = callerAbort(ctx);
      if (abortedMeanwhile !== undefined) return Promise.reject(abortedMeanwhile);
      return this[RUN](fn, ctx);
    }
    const aborted = callerAbort(ctx);
    if (this.version !== epoch || aborted !== undefined) {
      // The circuit moved on while the claim was pending (or the caller gave up): hand the
      // slot back and let the current state decide.
      safely(release, false);
      if (this.version === epoch) this.probes--;
      if (aborted !== undefined) return Promise.reject(aborted);
      return this[RUN](fn, ctx);
    }
    return this.runProbe(fn, ctx, epoch, release === noRelease ? undefined : release);
  }

  private runProbe<T>(
    fn: Operation<T>,
    ctx: ExecutionContext,
    epoch: number,
    release: ProbeRelease | undefined,
  ): Promise<T> {
    const started = this.clock.now();
    return invoke(fn, ctx).then(
      (value) => {
        if (settlesLater(value)) {
          // A streaming probe holds its slot until the stream ends, which decides it.
          const answeredMs = this.clock.now() - started;
          value[SETTLES_LATER]((outcome: LateOutcome) =>
            this.settleProbe(
              epoch,
              started,
              release,
              outcome.failed,
              outcome.error,
              undefined,
              answeredMs,
            ),
          );
        } else this.settleProbe(epoch, started, release, false, undefined, ctx);
        return value;
      },
      (error: unknown) => {
        this.settleProbe(epoch, started, release, true, error, ctx);
        throw error;
      },
    );
  }

  private settleProbe(
    epoch: number,
    started: number,
    release: ProbeRelease | undefined,
    threw: boolean,
    error: unknown,
    ctx: ExecutionContext | undefined,
    answeredMs?: number,
  ): void {
    const current = this.version === epoch;
    if (current) this.probes--;
    if (threw && !this.counts(error, ctx)) {
      if (release !== undefined) safely(release, false);
      return this.ignored(error);
    }
    const now = this.clock.now();
    const durationMs = answeredMs ?? now - started;
    // A slow probe shows the service still struggling: it reopens like a failure.
    const slow = durationMs > this.trip.slowCallMs;
    if (release !== undefined) safely(release, !threw && !slow);
    this.report(threw, error, durationMs);
    this.share(threw, slow);
    if (!current) return;
    if (threw || slow) this.transition(OPEN, 'probe-failed', now);
    else if (++this.probeSuccesses >= this.successesToClose) {
      this.transition(CLOSED, 'probes-succeeded', now);
    }
  }

  // ── shared steps ─────────────────────────────────────────────────────────────────

  /**
   * Rejects a call that will not run, with an error of its own (a caller may change or
   * decorate the error it caught, which must not show up in another caller's), built without
   * a stack trace (it would cost microseconds and say nothing) and without the Error
   * constructor (see circuitOpenRejection).
   */
  private reject(retryAfterMs: number | undefined): Promise<never> {
    const error = circuitOpenRejection(this.name, NAMES[this.code] as CircuitState, retryAfterMs);
    this.rejectedCalls++;
    this.hub?.emit('rejected', { error, retryAfterMs });
    return rejectedSoon(error);
  }

  /**
   * Whether a failure counts against the service. Once the call's signal has aborted, the
   * failure is whatever stopped it: a timeout counts (the service was too slow), the
   * caller's abort never does, whatever the client made of it (openai's APIUserAbortError,
   * axios's CanceledError, the abort reason wrapped in an error of its own).
   */
  private counts(error: unknown, ctx: ExecutionContext | undefined): boolean {
    const stoppedBy = ctx === undefined ? undefined : callerAbort(ctx);
    if (stoppedBy !== undefined) return hasKind(stoppedBy, 'TimeoutError');
    try {
      return this.isFailure(error);
    } catch {
      return true;
    }
  }

  private ignored(error: unknown): void {
    const hub = this.hub;
    if (hub?.has('ignoredError')) hub.emit('ignoredError', { error });
  }

  private report(failure: boolean, error: unknown, durationMs: number): void {
    const hub = this.hub;
    if (hub === undefined) return;
    if (failure) {
      if (hub.has('failure')) hub.emit('failure', { attempts: 1, error, durationMs });
    } else if (hub.has('success')) hub.emit('success', { attempts: 1, durationMs });
  }

  /** Tells the store about a counted call. */
  private share(failure: boolean, slow: boolean): void {
    const link = this.link;
    if (link?.recordOutcome === undefined) return;
    try {
      link.recordOutcome(failure, slow);
    } catch {
      // A store never fails a call.
    }
  }

  private openMsFor(opens: number): number {
    const option = this.openMsOption;
    if (typeof option === 'number') return option;
    let ms: number;
    try {
      ms = option(opens);
    } catch {
      // A throwing openMs function must not wedge the transition: like NaN, no open time.
      return 0;
    }
    return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_TIMER_MS) : 0;
  }

  /** A local transition: new version, counters reset, store and listeners told. */
  private transition(to: StateCode, reason: TransitionReason, now: number): void {
    const from = this.code;
    // The window lives on across the kill switch, and is cleared by any other move.
    const keepsWindow =
      (from === CLOSED && to === DISABLED) || (from === DISABLED && to === CLOSED);
    if (!keepsWindow || reason === 'reset') this.forgetWindow();
    this.code = to;
    this.version++;
    this.reason = reason;
    this.since = now;
    this.probes = 0;
    this.probeSuccesses = 0;
    if (to === OPEN) {
      this.opens++;
      this.openLength = this.openMsFor(this.opens);
      this.openUntil = now + this.openLength;
    } else if (to === CLOSED) {
      this.opens = 0;
      this.openUntil = Number.NaN;
    } else if (to !== HALF_OPEN) {
      this.openUntil = Number.NaN;
    }
    const link = this.link;
    if (link !== undefined) {
      try {
        link.recordTransition(this.toJSON(), NAMES[from] as CircuitState);
      } catch {
        // A store never fails a call.
      }
    }
    if (from !== to) this.announce(from, false);
  }

  private announce(from: StateCode, remote: boolean): void {
    const hub = this.hub;
    if (hub === undefined || !hub.has('stateChange')) return;
    hub.emit('stateChange', {
      from: NAMES[from] as CircuitState,
      to: NAMES[this.code] as CircuitState,
      reason: this.reason,
      remote,
    });
  }

  private apply(snapshot: CircuitSnapshot): void {
    const to = CODES[snapshot.state];
    const from = this.code;
    const keepsWindow =
      (from === CLOSED || from === DISABLED) && (to === CLOSED || to === DISABLED);
    if (!keepsWindow) this.forgetWindow();
    this.code = to;
    this.version = snapshot.version;
    this.reason = snapshot.reason;
    this.since = snapshot.since;
    // A stored end of open time comes from another clock (another process, or before a clock
    // step): never wait longer than this breaker's own open time from now.
    this.openLength = this.openMsFor(snapshot.opens);
    this.openUntil =
      snapshot.openUntil === null
        ? Number.NaN
        : Math.min(snapshot.openUntil, this.clock.now() + this.openLength);
    this.opens = snapshot.opens;
    this.probes = 0;
    this.probeSuccesses = 0;
  }

  private forgetWindow(): void {
    this.window?.clear();
    this.consecutiveFailures = 0;
  }

  private sameAs(snapshot: CircuitSnapshot): boolean {
    return (
      CODES[snapshot.state] === this.code &&
      Object.is(snapshot.openUntil ?? Number.NaN, this.openUntil) &&
      snapshot.opens === this.opens
    );
  }
}

/** Marks a claim the store failed to answer: the probe runs on the local decision alone. */
const noRelease: ProbeRelease = () => undefined;

function safely(release: ProbeRelease, succeeded: boolean): void {
  try {
    release(succeeded);
  } catch {
    // Releasing is the store's business; a failure there never fails a call.
  }
}

/** Creates a circuit breaker; see `CircuitBreakerOptions` for the defaults. */
export function circuitBreaker(options?: CircuitBreakerOptions): CircuitBreaker {
  return new CircuitBreaker(options);
}
