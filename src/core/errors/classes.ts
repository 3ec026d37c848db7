import { BreakwaterError, brandError, kindGuard } from './base.js';
import type { CircuitState } from '../breaker/state.js';

interface ErrorOptions {
  cause?: unknown;
}

/** A failure worth retrying: the same call may succeed later. */
export class TransientError extends BreakwaterError {}
brandError(TransientError, 'TransientError');

/** A failure that retrying cannot fix (bad request, auth, not found). */
export class PermanentError extends BreakwaterError {}
brandError(PermanentError, 'PermanentError');

/** The remote service said "too many requests"; `retryAfterMs` is when it invites a retry. */
export class RateLimitError extends TransientError {
  readonly retryAfterMs: number | undefined;
  constructor(
    message = 'rate limited by the service',
    options: ErrorOptions & { retryAfterMs?: number } = {},
  ) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}
brandError(RateLimitError, 'RateLimitError');

/** The remote service is down or overloaded. */
export class ServiceUnavailableError extends TransientError {}
brandError(ServiceUnavailableError, 'ServiceUnavailableError');

/** A circuit breaker rejected the call without running it. */
export class CircuitOpenError extends BreakwaterError {
  readonly circuit: string;
  readonly state: CircuitState;
  /** Remaining open time; `undefined` while isolated (no automatic end). */
  readonly retryAfterMs: number | undefined;
  constructor(circuit: string, state: CircuitState, retryAfterMs: number | undefined) {
    super(`circuit "${circuit}" is ${state}; the call was not attempted`);
    this.circuit = circuit;
    this.state = state;
    this.retryAfterMs = retryAfterMs;
  }
}
brandError(CircuitOpenError, 'CircuitOpenError');

/** A call ran past its deadline. */
export class TimeoutError extends BreakwaterError {
  readonly ms: number;
  constructor(ms: number, options: ErrorOptions = {}) {
    super(`the call timed out after ${ms} ms`, options);
    this.ms = ms;
  }
}
brandError(TimeoutError, 'TimeoutError');

/** `': <message>'` of the last error, so that the exhausted error says what kept failing. */
function describe(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error;
  if (typeof message === 'string') return message === '' ? '' : `: ${message}`;
  return typeof message === 'number' || typeof message === 'boolean' ? `: ${message}` : '';
}

/** Thrown by retry with `wrapExhausted: true` once every attempt has failed. */
export class RetryExhaustedError extends BreakwaterError {
  readonly attempts: number;
  readonly errors: readonly unknown[];
  constructor(attempts: number, errors: readonly unknown[]) {
    const last = errors.at(-1);
    super(`gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}${describe(last)}`, {
      cause: last,
    });
    this.attempts = attempts;
    this.errors = errors;
  }
}
brandError(RetryExhaustedError, 'RetryExhaustedError');

/** A bulkhead had no free slot and no room in its queue. */
export class BulkheadRejectedError extends BreakwaterError {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  constructor(maxConcurrent: number, maxQueue: number) {
    super(
      `bulkhead is full (${maxConcurrent} running, ${maxQueue} queued); the call was not attempted`,
    );
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }
}
brandError(BulkheadRejectedError, 'BulkheadRejectedError');

/** breakwater's own rate limiter had no token for the call. */
export class RateLimiterRejectedError extends BreakwaterError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(`rate limit reached; next token in ${retryAfterMs} ms`);
    this.retryAfterMs = retryAfterMs;
  }
}
brandError(RateLimiterRejectedError, 'RateLimiterRejectedError');

/** A stream gave no first chunk within `firstChunkMs`: a failure of the call, retried like a timeout. */
export class FirstChunkTimeoutError extends TimeoutError {
  constructor(ms: number) {
    super(ms);
    this.message = `no first chunk within ${ms} ms`;
  }
}
brandError(FirstChunkTimeoutError, 'FirstChunkTimeoutError');

/**
 * A stream failed after its first chunk reached the consumer, so it could be neither retried
 * nor replaced: it stalled past `idleMs`, its source threw, or it ended without its final
 * chunk (`isComplete`). `chunks` is how many chunks the consumer received.
 */
export class StreamInterruptedError extends BreakwaterError {
  readonly chunks: number;
  readonly reason: 'stalled' | 'error' | 'incomplete';
  constructor(chunks: number, reason: 'stalled' | 'error' | 'incomplete', cause?: unknown) {
    const why =
      reason === 'stalled'
        ? 'stalled'
        : reason === 'error'
          ? 'failed'
          : 'ended without its final chunk';
    super(
      `the stream ${why} after ${chunks} chunk${chunks === 1 ? '' : 's'}`,
      cause === undefined ? {} : { cause },
    );
    this.chunks = chunks;
    this.reason = reason;
  }
}
brandError(StreamInterruptedError, 'StreamInterruptedError');

/** A stream's chunk could not be read (an SSE event whose data is not the JSON it should be). */
export class MalformedChunkError extends BreakwaterError {
  /** The offending data, cut to 200 characters. */
  readonly data: string;
  constructor(data: string, cause?: unknown) {
    super(
      `malformed stream chunk: ${JSON.stringify(data.slice(0, 200))}`,
      cause === undefined ? {} : { cause },
    );
    this.data = data.slice(0, 200);
  }
}
brandError(MalformedChunkError, 'MalformedChunkError');

/** One problem found in a configuration. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly value: unknown;
  readonly expected: string;
  readonly suggestion?: string;
}

/** A configuration was rejected; `problems` lists every problem found, not just the first. */
export class ConfigError extends BreakwaterError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], message?: string) {
    super(
      message ??
        `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
          problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n'),
    );
    this.problems = problems;
  }
}
brandError(ConfigError, 'ConfigError');

export const isTransientError = kindGuard<TransientError>('TransientError');
export const isPermanentError = kindGuard<PermanentError>('PermanentError');
export const isRateLimitError = kindGuard<RateLimitError>('RateLimitError');
export const isServiceUnavailableError =
  kindGuard<ServiceUnavailableError>('ServiceUnavailableError');
export const isCircuitOpenError = kindGuard<CircuitOpenError>('CircuitOpenError');
export const isTimeoutError = kindGuard<TimeoutError>('TimeoutError');
export const isRetryExhaustedError = kindGuard<RetryExhaustedError>('RetryExhaustedError');
export const isBulkheadRejectedError = kindGuard<BulkheadRejectedError>('BulkheadRejectedError');
export const isRateLimiterRejectedError = kindGuard<RateLimiterRejectedError>(
  'RateLimiterRejectedError',
);
export const isConfigError = kindGuard<ConfigError>('ConfigError');
export const isFirstChunkTimeoutError = kindGuard<FirstChunkTimeoutError>('FirstChunkTimeoutError');
export const isStreamInterruptedError = kindGuard<StreamInterruptedError>('StreamInterruptedError');
export const isMalformedChunkError = kindGuard<MalformedChunkError>('MalformedChunkError');

/**
 * A refusal by one of breakwater's own policies — an open circuit, a full bulkhead, the
 * local rate limiter: the call never ran, so it says nothing about the service. The one
 * check everything uses: a breaker does not count it as a failure, retry does not retry it
 * by default, the orchestrator reports it as a rejection.
 */
export const isLocalRejection = (
  e: unknown,
): e is CircuitOpenError | BulkheadRejectedError | RateLimiterRejectedError =>
  isCircuitOpenError(e) || isBulkheadRejectedError(e) || isRateLimiterRejectedError(e);
