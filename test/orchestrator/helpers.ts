import { settle } from '../support/promises.js';

/** The error `promise` rejects with, after the fake timers ran; fails the test if it resolves. */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await settle(promise);
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}

/** The value `promise` resolves to, after the fake timers ran; rethrows its error. */
export async function valueOf<T>(promise: Promise<T>): Promise<T> {
  const outcome = await settle(promise);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** An error shaped like an HTTP client's (httpx, axios): the status lives on `response`. */
export function httpError(status: number): Error & { response: { status: number } } {
  return Object.assign(new Error(`HTTP ${status}`), { response: { status } });
}
