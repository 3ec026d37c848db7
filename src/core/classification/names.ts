import type { Classification } from './types.js';

/**
 * Error names that decide on their own: the platform's `TimeoutError`/`AbortError`
 * (DOMException reasons of `AbortSignal.timeout()` and of a caller's `abort()`), the OpenAI
 * and Anthropic SDKs' error classes, and a few of the common clients' own (axios, ioredis),
 * recognised by name so that breakwater needs none of them. Each is matched against the
 * error's `name` and against the name of its own class (see `ownClassName`): openai 6 never
 * sets `name`, so all of its errors are named `'Error'`.
 */
export const NAMED: ReadonlyMap<string, Classification> = new Map<string, Classification>([
  ['TimeoutError', 'transient'],
  ['AbortError', 'permanent'],
  ['RateLimitError', 'transient'],
  ['APITimeoutError', 'transient'],
  ['APIConnectionError', 'transient'],
  ['APIConnectionTimeoutError', 'transient'],
  ['InternalServerError', 'transient'],
  ['OverloadedError', 'transient'],
  // The SDKs' own name for a request their caller aborted.
  ['APIUserAbortError', 'permanent'],
  // axios: the caller cancelled the request (its code is ERR_CANCELED).
  ['CanceledError', 'permanent'],
  // ioredis gave up on a command while reconnecting: the server may be back soon. Its class
  // inherits from one named AbortError, which is why only an error's own class counts.
  ['MaxRetriesPerRequestError', 'transient'],
]);

/**
 * The name of the class that made `error` (its prototype's own `constructor`), not of a class
 * it inherits from; `undefined` for plain objects and errors of the base `Error` class.
 */
export function ownClassName(error: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(error);
  if (typeof proto !== 'object' || proto === null || !Object.hasOwn(proto, 'constructor')) {
    return undefined;
  }
  const name = (proto as { constructor: { name?: unknown } }).constructor.name;
  return typeof name === 'string' && name !== 'Error' && name !== 'Object' ? name : undefined;
}

/** What the error's `name`, else its own class's name, says; `undefined` when neither is known. */
export function classifyByName(error: object): Classification | undefined {
  const name = (error as { name?: unknown }).name;
  const byName = typeof name === 'string' ? NAMED.get(name) : undefined;
  if (byName !== undefined) return byName;
  const className = ownClassName(error);
  return className === undefined ? undefined : NAMED.get(className);
}
