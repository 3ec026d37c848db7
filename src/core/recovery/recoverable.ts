import { hasMethod } from '../health/checkable.js';

/** Anything that can try to bring itself back: a connection, a daemon, a cache warm-up. */
export interface Recoverable {
  recover(): boolean | PromiseLike<boolean>;
}

/**
 * A recovery attempt as a function: resolves `true` once recovered. The signal aborts when
 * the attempt times out or the recovery stops, so the attempt can cancel what it started.
 */
export type RecoverFunction = (signal: AbortSignal) => boolean | PromiseLike<boolean>;

/** Whether `value` has a `recover()` method, so it plugs into `BackgroundRecovery`. */
export function isRecoverable(value: unknown): value is Recoverable {
  return hasMethod(value, 'recover');
}
