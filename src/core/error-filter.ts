import { fail } from './option-checks.js';

/** A class of errors, matched with `instanceof`. */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/** Which errors a policy acts on: a predicate, an error class, or a list of error classes. */
export type ErrorFilter = ((error: unknown) => boolean) | ErrorClass | readonly ErrorClass[];

function isErrorClass(value: unknown): value is ErrorClass {
  if (typeof value !== 'function') return false;
  const prototype = (value as { prototype?: unknown }).prototype;
  return value === Error || prototype instanceof Error;
}

/** Turns an `on` option into a predicate; absent means every error. */
export function errorPredicate(
  policy: string,
  option: string,
  filter: ErrorFilter | undefined,
): ((error: unknown) => boolean) | undefined {
  if (filter === undefined) return undefined;
  if (isErrorClass(filter)) return (error) => error instanceof filter;
  if (typeof filter === 'function') return filter;
  if (Array.isArray(filter) && filter.every((c) => typeof c === 'function')) {
    const classes = [...(filter as readonly ErrorClass[])];
    return (error) => classes.some((errorClass) => error instanceof errorClass);
  }
  return fail(policy, option, 'a predicate, an error class or an array of error classes', filter);
}
