import {
  BasePolicy,
  RUN,
  STREAM_LIMITS,
  invoke,
  type ExecutionContext,
  type Operation,
} from '../policy.js';
import { streamLimits, type StreamLimits, type StreamOptions } from './options.js';

/**
 * The limits of streaming calls, as a layer of a pipeline: `pipeline(retry(…), breaker,
 * stream({ firstChunkMs, idleMs, isComplete }))`. `executeStream` on the pipeline applies
 * them to every attempt (the first-chunk deadline) and to the consumer's stream (idle and
 * completeness), wherever the layer sits. Plain `execute` calls pass through it untouched.
 */
export class StreamPolicy extends BasePolicy {
  readonly limits: StreamLimits;

  constructor(options: StreamOptions<never>) {
    const limits = streamLimits('stream', options);
    super(limits.clock);
    this.limits = limits;
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    return invoke(fn, ctx);
  }

  override [STREAM_LIMITS](): StreamLimits {
    return this.limits;
  }
}

/** A `stream()` layer; `T` is the chunk type `isComplete` reads. */
export function stream<T = never>(options: StreamOptions<T> = {}): StreamPolicy {
  return new StreamPolicy(options);
}
