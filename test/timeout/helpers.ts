import { getEventListeners } from 'node:events';

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
