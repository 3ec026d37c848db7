/**
 * Kinds are recorded under a global symbol so that `isX()` guards recognise errors made by
 * another copy of the package (two versions in one dependency tree), where `instanceof` fails.
 */
const KINDS = Symbol.for('breakwater.error.kinds');

interface Branded {
  readonly [KINDS]?: readonly string[];
}

/** Base class of every error breakwater throws. */
export class BreakwaterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Gives an error class its `name` and its kind, inheriting the kinds of its parent, so that
 * `hasKind(error, 'TransientError')` holds for a `RateLimitError`.
 */
export function brandError(
  errorClass: abstract new (...args: never[]) => Error,
  name: string,
): void {
  const proto = errorClass.prototype as Branded & Error;
  const parentKinds = (Object.getPrototypeOf(proto) as Branded)[KINDS] ?? [];
  Object.defineProperty(proto, KINDS, { value: [...parentKinds, name] });
  Object.defineProperty(proto, 'name', { value: name, writable: true, configurable: true });
}

brandError(BreakwaterError, 'BreakwaterError');

/** Whether `error` is a breakwater error of the given kind (or a subclass of it), from any copy. */
export function hasKind(error: unknown, kind: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const kinds = (error as Branded)[KINDS];
  return kinds !== undefined && kinds.includes(kind);
}

/** The `isX()` guard of a kind: true for errors of that kind or a subclass, from any copy. */
export function kindGuard<E extends Error>(kind: string): (error: unknown) => error is E {
  return (error: unknown): error is E => hasKind(error, kind);
}

export const isBreakwaterError = kindGuard<BreakwaterError>('BreakwaterError');
