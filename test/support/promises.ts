import { vi } from 'vitest';

/** A promise with its resolve/reject exposed, settled exactly when a test says so. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = unknown>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every already-queued promise reaction (and those they queue) run; no timer moves. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Settles `promise` into a tagged outcome, so a test can inspect a rejection without a catch. */
export function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, error }),
  );
}

/** Observes `promise` at once (no unhandled rejection), then runs every pending fake timer. */
export async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  const settled = outcome(promise);
  await vi.runAllTimersAsync();
  return settled;
}

/** How a promise ended, observed without awaiting it (so a test can check it is still pending). */
export interface Observed<T> {
  readonly state: () => 'pending' | 'fulfilled' | 'rejected';
  readonly value: () => T | undefined;
  readonly error: () => unknown;
}

export function observe<T>(promise: Promise<T>): Observed<T> {
  let state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  let value: T | undefined;
  let error: unknown;
  promise.then(
    (v) => {
      state = 'fulfilled';
      value = v;
    },
    (e: unknown) => {
      state = 'rejected';
      error = e;
    },
  );
  return { state: () => state, value: () => value, error: () => error };
}
