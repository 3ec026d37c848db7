import type { StreamRunner } from './consumer.js';
import { StreamIterator } from './consumer.js';
import type { StreamOperation } from './open.js';
import type { StreamLimits } from './options.js';

/**
 * A streaming call as an `AsyncIterable`: each iteration runs the call afresh through
 * `run` (the policies), so the iterable can be consumed more than once, like any stream
 * factory; nothing happens before the first `next()`.
 */
export function streamCall<T>(
  run: StreamRunner,
  fn: StreamOperation<T>,
  signal: AbortSignal | undefined,
  limits: StreamLimits,
  operation?: string,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => new StreamIterator(run, fn, signal, limits, operation),
  };
}
