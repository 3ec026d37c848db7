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

/** Whether `value` has a `check()` method, so it plugs in wherever a check is expected. */
export function isHealthCheckable(value: unknown): value is HealthCheckable {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Partial<HealthCheckable>).check === 'function'
  );
}

/**
 * Turns a check option (function or `HealthCheckable`) into a function, or throws a
 * `TypeError` naming the option when it is neither.
 */
export function toCheckFunction(owner: string, option: string, value: unknown): CheckFunction {
  if (typeof value === 'function') return value as CheckFunction;
  if (isHealthCheckable(value)) return () => value.check();
  return fail(owner, option, 'a function or an object with a check() method', value);
}
