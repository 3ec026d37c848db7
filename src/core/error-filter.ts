import { fail } from './option-checks.js';

/** A class of errors, matched with `instanceof`. */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/** A function whose prototype descends from `Error.prototype`: a class, not a predicate. */
export function isErrorClass(value: unknown): value is ErrorClass {
  if (typeof value !== 'function') return false;
  const proto = (value as { prototype?: unknown }).prototype;
  return proto === Error.prototype || (typeof proto === 'object' && proto instanceof Error);
}

/** What every error predicate option accepts first: the error. */
export type ErrorPredicate = (error: unknown, ...rest: never[]) => boolean;

/**
 * Which errors a policy acts on (`retryOn`, `isFailure`, `on`): a predicate, an error class,
 * or a list of error classes.
 */
export type ErrorFilter<P extends ErrorPredicate = (error: unknown) => boolean> =
  P | ErrorClass | readonly ErrorClass[];

/** Turns an error filter option into a predicate; `undefined` when the option is absent. */
export function errorPredicate<P extends ErrorPredicate>(
  owner: string,
  option: string,
  filter: ErrorFilter<P> | undefined,
): P | ((error: unknown) => boolean) | undefined {
  if (filter === undefined) return undefined;
  if (isErrorClass(filter)) return (error: unknown) => error instanceof filter;
  if (typeof filter === 'function') return filter;
  if (Array.isArray(filter) && filter.every((c) => typeof c === 'function')) {
    const classes = [...(filter as readonly ErrorClass[])];
    return (error: unknown) => classes.some((errorClass) => error instanceof errorClass);
  }
  return fail(owner, option, 'a predicate, an error class or an array of error classes', filter);
}
