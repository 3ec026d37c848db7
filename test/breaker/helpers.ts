import { PermanentError, TransientError } from '../../src/core/errors/index.js';

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public time = 1_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

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

/** A function whose promise settles when the test says so. */
export function deferred<T = string>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
