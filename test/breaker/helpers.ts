import { PermanentError, TransientError } from '../../src/core/errors/index.js';

export const ok = (): Promise<string> => Promise.resolve('ok');
export const boom = (): Promise<never> => Promise.reject(new TransientError('boom'));
export const badRequest = (): Promise<never> => Promise.reject(new PermanentError('400'));

/** Runs `fn` through `execute` and returns what happened, so tests can assert on both outcomes. */
export async function outcome(
  breaker: { execute<T>(fn: () => T | Promise<T>): Promise<T> },
  fn: () => unknown,
): Promise<{ value?: unknown; error?: unknown }> {
  try {
    return { value: await breaker.execute(fn) };
  } catch (error) {
    return { error };
  }
}
