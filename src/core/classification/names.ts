import type { Classification } from './types.js';

/**
 * Error names that decide on their own, whatever the error's class: the platform's
 * `TimeoutError`/`AbortError` (DOMException reasons of `AbortSignal.timeout()` and of a
 * caller's `abort()`), and the OpenAI and Anthropic SDKs' error classes, recognised by name
 * so breakwater needs neither SDK.
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
]);
