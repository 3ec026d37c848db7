import { vi } from 'vitest';

/** An error that classifies as transient (ECONNRESET). */
export function transient(message = 'reset'): Error {
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}

/** An error that classifies as permanent (HTTP 400). */
export function permanent(message = 'bad request'): Error {
  return Object.assign(new Error(message), { status: 400 });
}

/** A function that fails with each of `failures` in turn, then answers `value`. */
export function failing<T>(failures: readonly unknown[], value: T) {
  const calls: { attempt: number; at: number }[] = [];
  const fn = vi.fn((ctx: { attempt: number }): Promise<T> => {
    calls.push({ attempt: ctx.attempt, at: Date.now() });
    if (calls.length <= failures.length) return Promise.reject(failures[calls.length - 1]);
    return Promise.resolve(value);
  });
  return { fn, calls };
}
