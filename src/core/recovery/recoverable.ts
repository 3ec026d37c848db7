import { fail } from '../option-checks.js';

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
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Partial<Recoverable>).recover === 'function'
  );
}

/** Turns the `recover` option into a function, or throws a `TypeError` naming it. */
export function toRecoverFunction(owner: string, value: unknown): RecoverFunction {
  if (typeof value === 'function') return value as RecoverFunction;
  if (isRecoverable(value)) return () => value.recover();
  return fail(owner, 'recover', 'a function or an object with a recover() method', value);
}
