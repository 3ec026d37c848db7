import type { Context } from '../policy.js';

/**
 * The context of the attempt whose wrapped function is being started. A wrapped function
 * keeps its own signature, so it is not handed a context; it can ask for it while its
 * synchronous start runs (`resilience.signal()` before its first `await`). Set around the
 * function's call only, and restored after, so that a wrapped function starting another
 * one gets its own back.
 */
let current: Context | undefined;

/** Calls `start` with `ctx` as the current attempt's context. */
export function startWithContext<T>(ctx: Context, start: () => T): T {
  const previous = current;
  current = ctx;
  try {
    return start();
  } finally {
    current = previous;
  }
}

/**
 * `fn.apply(self, args)` with `ctx` as the current attempt's context: `startWithContext`
 * without the closure per call that it needs (BENCHMARKS.md "`wrap`, balanced strategy").
 */
export function applyWithContext(
  ctx: Context,
  fn: (...args: never[]) => unknown,
  self: unknown,
  args: readonly unknown[],
): unknown {
  const previous = current;
  current = ctx;
  try {
    return fn.apply(self, args as never[]);
  } finally {
    current = previous;
  }
}

/** The context of the attempt being started; throws when no wrapped function is starting. */
export function currentContext(caller: string): Context {
  if (current !== undefined) return current;
  throw new TypeError(
    `${caller}: called outside a wrapped function's start; call it in the wrapped function ` +
      'before its first await (the context is not kept across awaits)',
  );
}
