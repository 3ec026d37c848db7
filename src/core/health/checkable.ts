import { fail } from '../option-checks.js';

/** Anything that can say whether it is healthy: a probe, a client, a daemon handle. */
export interface HealthCheckable {
  check(): boolean | PromiseLike<boolean>;
}

/**
 * A health check as a function: resolves `true` when healthy. The signal aborts when the
 * check times out or its owner stops, so a check can cancel its request.
 */
export type CheckFunction = (signal: AbortSignal) => boolean | PromiseLike<boolean>;

/** Whether `value` (an object or a function) has a method called `method`. */
export function hasMethod(value: unknown, method: string): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Record<string, unknown>)[method] === 'function'
  );
}

/** Whether `value` has a `check()` method, so it plugs in wherever a check is expected. */
export function isHealthCheckable(value: unknown): value is HealthCheckable {
  return hasMethod(value, 'check');
}

/**
 * Turns an option that is a function, or an object whose `method` answers the same
 * question (`check()`, `recover()`), into a function; otherwise throws a `TypeError`
 * naming the option.
 */
export function toCheckFunction(
  owner: string,
  option: string,
  value: unknown,
  method: string,
): CheckFunction {
  if (typeof value === 'function') return value as CheckFunction;
  if (hasMethod(value, method)) {
    const target = value as Record<string, () => boolean | PromiseLike<boolean>>;
    return () => target[method]!();
  }
  return fail(owner, option, `a function or an object with a ${method}() method`, value);
}
