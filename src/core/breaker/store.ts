/**
 * The contract between a circuit breaker and the place its state is persisted or shared
 * (SPEC §6). The breaker decides every call locally and synchronously; a store only learns
 * what happened (outcomes, transitions) and may push state decided elsewhere back in.
 *
 * Lifecycle: the breaker calls `store.attach(breaker)` once, at the end of its constructor.
 * From then on the store may call `breaker.adopt(snapshot)` at any time — synchronously
 * inside `attach` (a file store that loaded its file at start), or later (Redis, once a
 * load, a pub/sub message or a resync answers). The breaker adopts a snapshot that is newer
 * than its own state (see `adopt`), so a stale or echoed message is harmless. It ends with
 * `link.detach()` (from `breaker.dispose()`): the store lets go of the breaker, and never
 * calls it again; what the store persisted or shared stays where it is.
 */
import type { CircuitState } from './state.js';
import type { TripDescription } from './trip.js';

/** Why a breaker changed state; carried in events, snapshots and transitions. */
export type TransitionReason =
  /** The initial state of a breaker that nothing was restored into. */
  | 'created'
  /** closed → open: the failure threshold was reached. */
  | 'failures'
  /** closed → open: the slow-call rate threshold was reached. */
  | 'slow-calls'
  /** open → half-open: the open time is over and a call arrived to probe. */
  | 'open-time-elapsed'
  /** half-open → closed: enough probes succeeded. */
  | 'probes-succeeded'
  /** half-open → open: a probe failed; the open time grows. */
  | 'probe-failed'
  /** Operator commands. */
  | 'isolate'
  | 'reset'
  | 'disable'
  | 'enable';

/**
 * A breaker's state as plain, JSON-serialisable data: what `breaker.toJSON()` returns, what
 * `initialState` accepts, and what stores persist and exchange. Times are the breaker's
 * clock in milliseconds (wall-clock epoch ms with the default clock, so they stay meaningful
 * across a restart and between replicas).
 */
export interface CircuitSnapshot {
  readonly name: string;
  readonly state: CircuitState;
  /**
   * Orders transitions: every local transition sets it to one more than the version it
   * replaced. Of two snapshots of one breaker, the higher version is the newer one.
   */
  readonly version: number;
  readonly reason: TransitionReason;
  /** When the current state was entered. */
  readonly since: number;
  /** While `open` (and in the `half-open` that follows): when the open time ends; else null. */
  readonly openUntil: number | null;
  /** Opens in a row without closing in between (1 after the first trip); drives a growing `openMs`. */
  readonly opens: number;
}

/** A breaker's configuration as a store needs it (e.g. to decide transitions in a Lua script). */
export interface CircuitSettings {
  readonly trip: TripDescription;
  readonly halfOpen: { readonly maxCalls: number; readonly successesToClose: number };
  /** The open time after the `opens`-th open in a row (the `openMs` option, constant or growing). */
  openMs(opens: number): number;
}

/** The side of a breaker a store sees. `CircuitBreaker` implements it. */
export interface StoredCircuit {
  readonly name: string;
  readonly settings: CircuitSettings;
  toJSON(): CircuitSnapshot;
  /**
   * Applies a snapshot decided elsewhere (another replica, a file) when it is newer: a
   * higher `version`, or the same version with a different content (the store arbitrates
   * ties between replicas that transitioned concurrently). Returns whether it was applied.
   * Adopting emits `stateChange` (with `remote: true`) but is never echoed back to the store.
   */
  adopt(snapshot: CircuitSnapshot): boolean;
}

/**
 * Ends a fleet-wide probe claim; called exactly once, when the probe call settles, with
 * whether the probe succeeded (a counted success that was not slow), so that a store can
 * count probe successes across the fleet. Abandoned and ignored probes pass `false`.
 */
export type ProbeRelease = (succeeded: boolean) => void;

/** What a store gives back to one attached breaker. */
export interface StoreLink {
  /**
   * Hot path, optional (leave it out and recording costs nothing): called synchronously
   * after every counted call in `closed`, `half-open` and `disabled` — not for rejected calls
   * and not for errors that `isFailure` excludes. Must be O(1), synchronous, and must not
   * throw (a store batches here and flushes later).
   */
  recordOutcome?(failure: boolean, slow: boolean): void;
  /** Called synchronously after every local transition (never after `adopt`), with the new state. */
  recordTransition(snapshot: CircuitSnapshot, from: CircuitState): void;
  /**
   * Optional fleet-wide limit on half-open probes. Called only in `half-open`, after the
   * breaker granted the call one of its local `maxCalls` slots. Resolves to a release
   * function when the fleet has a free slot (the store expires the claim itself if this
   * process dies before releasing it), or to `undefined` when every fleet-wide slot is
   * taken, in which case the call is rejected with `CircuitOpenError`. It must not reject;
   * if it does anyway (the backend is unreachable), the breaker goes by its local decision.
   */
  claimProbe?(): Promise<ProbeRelease | undefined>;
  /**
   * The breaker leaves the store (`breaker.dispose()`): the store drops what it holds for
   * this breaker in memory (its place among the peers, batched outcomes, subscriptions,
   * probe claims it still holds) and never calls it again. Persisted or shared state stays.
   * Called at most once; must not throw. Optional for stores that hold nothing per breaker.
   */
  detach?(): void;
}

/** Where breakers keep their state: `memoryStore()`, `fileStore(path)`, `redisStore(…)`. */
export interface CircuitStore {
  /** Binds one breaker to the store; see the lifecycle above. */
  attach(circuit: StoredCircuit): StoreLink;
  /** Flushes what is pending and releases timers, files and connections. Idempotent. */
  close(): Promise<void>;
  /** A shared store's connection, for health reports; stores with nothing to report omit it. */
  status?(): StoreHealth;
}

/** How a store is doing. Anything but `'ready'` means breakers decide from local state alone. */
export interface StoreHealth {
  readonly connection: string;
  readonly lastError?: string | undefined;
  /** What breakers do while the store is not ready (Redis: `'local'` or `'strict'`). */
  readonly onStoreUnavailable?: string;
  /** Half-open probes run on the local decision alone because the store was not ready (`'local'`). */
  readonly localProbes?: number;
  /** Half-open probes refused because the store was not ready (`'strict'`). */
  readonly refusedProbes?: number;
}
