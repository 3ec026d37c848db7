import { getEventListeners } from 'node:events';
import { deferred, observe, type Deferred, type Observed } from '../support/promises.js';

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

/** A call through `policy` to a function that runs until the test settles `work`; `signal()` is the one the function got. */
export function startCall<T = unknown>(
  policy: {
    execute<R>(fn: (ctx: { signal: AbortSignal }) => Promise<R>, signal?: AbortSignal): Promise<R>;
  },
  callerSignal?: AbortSignal,
): { work: Deferred<T>; call: Observed<T>; signal: () => AbortSignal | undefined } {
  const work = deferred<T>();
  let signal: AbortSignal | undefined;
  const call = observe(
    policy.execute((ctx) => {
      signal = ctx.signal;
      return work.promise;
    }, callerSignal),
  );
  return { work, call, signal: () => signal };
}
