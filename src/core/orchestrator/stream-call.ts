import type { Clock } from '../clock.js';
import type { Context } from '../policy.js';
import { StreamIterator, type StreamRunner } from '../stream/consumer.js';
import { openSource, type StreamOperation, type StreamSource } from '../stream/open.js';
import { NO_LIMITS, type StreamLimits, type StreamOptions } from '../stream/options.js';
import type { OperationConfig } from './config.js';
import { startWithContext } from './current-context.js';
import type { OperationEntry } from './operation.js';

/** A streaming call's fallback, the caller's arguments already bound; `ctx` is its own attempt's. */
export type BoundStreamFallback<T> = (error: unknown, ctx: Context) => StreamSource<T>;

/**
 * `fn` started as the attempt `ctx`: it gets the context, and `resilience.context()` /
 * `resilience.signal()` answer it while `fn` starts, as for a function given to `wrap`.
 */
const startedIn =
  <T>(fn: StreamOperation<T>): StreamOperation<T> =>
  (ctx) =>
    startWithContext(ctx, () => fn(ctx));

/**
 * The code's stream settings as operation config: the deadlines of `stream` go under the
 * `stream` key (where a file or a runtime update can still change them), `config.stream`
 * winning over them; `isComplete` stays with the code.
 */
export function withStreamDeadlines(
  config: OperationConfig | undefined,
  stream: Omit<StreamOptions<never>, 'clock'> | undefined,
): OperationConfig | undefined {
  if (stream === undefined || config?.stream === false) return config;
  const deadlines = {
    ...(stream.firstChunkMs === undefined ? {} : { firstChunkMs: stream.firstChunkMs }),
    ...(stream.idleMs === undefined ? {} : { idleMs: stream.idleMs }),
  };
  return { ...config, stream: { ...deadlines, ...config?.stream } };
}

function limitsOf(
  configured: StreamLimits | undefined,
  isComplete: ((chunk: never) => boolean) | undefined,
  clock: Clock,
): StreamLimits {
  const base = configured ?? NO_LIMITS;
  return { firstChunkMs: base.firstChunkMs, idleMs: base.idleMs, isComplete, clock };
}

/**
 * A streaming call through an operation (SPEC §9): every iteration is one call, counted
 * once in the operation's metrics when the stream ends, with its time to first chunk; the
 * limits are the operation's current ones (configuration may change between calls). A
 * fallback's stream is opened like an attempt's, so it too is watched to its end.
 */
export function operationStream<T>(
  entryOf: () => OperationEntry,
  fn: StreamOperation<T>,
  signal: AbortSignal | undefined,
  fallback: BoundStreamFallback<T> | undefined,
  isComplete: ((chunk: T) => boolean) | undefined,
  clock: Clock,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const entry = entryOf();
      const limits = limitsOf(entry.layers.stream, isComplete, clock);
      const run: StreamRunner = (open, ctx) =>
        entry.run(
          open,
          undefined,
          fallback === undefined
            ? undefined
            : (error) =>
                openSource(
                  startedIn((attempt) => fallback(error, attempt)),
                  ctx,
                  limits,
                  ctx,
                ),
          undefined,
          ctx,
        );
      return new StreamIterator(run, startedIn(fn), signal, limits, entry.name);
    },
  };
}
