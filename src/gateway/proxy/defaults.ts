/** What a route gets when its config is silent (SPEC §10 leaves these to the gateway). */
export const DEFAULT_PER_TRY_MS = 30_000;
export const DEFAULT_TOTAL_MS = 120_000;
export const DEFAULT_IDLE_MS = 30_000;
/** Per target: one retry of a transient failure before the next target. */
export const DEFAULT_MAX_ATTEMPTS = 2;
export const DEFAULT_BACKOFF = { initialMs: 250, multiplier: 2, maxMs: 10_000, jitter: 0.1 };
/** A `Retry-After: 0` still waits this long, so a busy upstream is not hammered. */
export const RETRY_AFTER_FLOOR_MS = 25;
/** No upstream's `Retry-After` is taken as longer than this (a day-long value is a mistake). */
export const RETRY_AFTER_CEILING_MS = 300_000;
/** Stale answers kept per route. */
export const DEFAULT_STALE_ENTRIES = 1_000;
/** GET and HEAD routes keep stale answers this long unless told otherwise. */
export const DEFAULT_STALE_TTL_MS = 300_000;
export const DEFAULT_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_RESPONSE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_DRAIN_MS = 30_000;
export const DEFAULT_CONNECTIONS = 128;
