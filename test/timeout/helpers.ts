import { getEventListeners } from 'node:events';

/** A promise settled by hand, to finish a protected function exactly when a test says so. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = number>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
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

/** Lets every queued promise callback run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** Counts AbortControllers made while installed (it replaces the global with a counting subclass). */
export function countControllers(): { readonly count: () => number; readonly restore: () => void } {
  const original = globalThis.AbortController;
  let count = 0;
  class Counting extends original {
    constructor() {
      super();
      count++;
    }
  }
  globalThis.AbortController = Counting;
  return {
    count: () => count,
    restore: () => {
      globalThis.AbortController = original;
    },
  };
}
