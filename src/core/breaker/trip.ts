/** A count-based window (the last `size` calls) or a time-based one (the last `ms` milliseconds). */
export type TripWindowOptions =
  | { readonly kind: 'count'; readonly size: number }
  | { readonly kind: 'time'; readonly ms: number };

/** A call slower than `ms` is slow; the breaker opens when the slow share reaches `rateThreshold`. */
export interface SlowCallOptions {
  readonly ms: number;
  readonly rateThreshold: number;
}

/** A trip strategy as plain data: what `toJSON`, stores and config tools see. */
export type TripDescription =
  | { readonly kind: 'consecutive'; readonly threshold: number }
  | {
      readonly kind: 'failure-rate';
      readonly threshold: number;
      readonly minimumCalls: number;
      readonly window: TripWindowOptions;
      readonly slowCall?: SlowCallOptions;
    };

/** What a window's `record` answers: keep going, or open because of failures or slow calls. */
export const STAY = 0;
export const TRIP_FAILURES = 1;
export const TRIP_SLOW = 2;
export type TripVerdict = typeof STAY | typeof TRIP_FAILURES | typeof TRIP_SLOW;

/** One breaker's record of recent outcomes in `closed` (and `disabled`) state. */
export interface TripWindow {
  /**
   * Records one counted call. `now` is the clock's time when the strategy `needsTime`,
   * otherwise 0 (the breaker skips the clock read: BENCHMARKS.md "breaker, closed, success").
   */
  record(failure: boolean, slow: boolean, now: number): TripVerdict;
  /** Forgets every outcome (on opening, closing and `reset()`). */
  clear(): void;
  /** The outcomes the window holds at `now`, for `breaker.stats()`; optional for custom windows. */
  held?(now: number): WindowCounts;
}

/** What a trip window holds: the calls it judges and how many of them failed. */
export interface WindowCounts {
  readonly calls: number;
  readonly failures: number;
}

/**
 * When a closed breaker opens. A strategy is immutable and may be shared by many breakers;
 * each breaker asks it for its own window, lazily, on its first counted call (so an idle
 * breaker holds none: BENCHMARKS.md "heap per idle breaker (100,000)").
 */
export interface TripStrategy {
  /** The slow-call threshold in ms, or `Infinity` when slow calls are not tracked. */
  readonly slowCallMs: number;
  /** Whether `record` needs the current time (time windows). */
  readonly needsTime: boolean;
  readonly description: TripDescription;
  createWindow(): TripWindow;
}
