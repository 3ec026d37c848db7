/** A source of wall-clock milliseconds; inject one to drive time in tests and simulations. */
export interface Clock {
  now(): number;
}

/** Reads `Date.now()` at each call, so fake timers that replace `Date` are honoured. */
export const systemClock: Clock = { now: () => Date.now() };
