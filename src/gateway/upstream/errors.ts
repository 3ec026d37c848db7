import { brandError, kindGuard } from '../../core/errors/base.js';
import {
  BreakwaterError,
  PermanentError,
  TimeoutError,
  TransientError,
} from '../../core/errors/index.js';

/** Headers as undici gives them: a value, or several for a repeated header. */
export type UpstreamHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What an openai/anthropic error body says about where to go next. */
export type ErrorVerdict = 'context-length' | 'content-policy' | undefined;

/**
 * An upstream answered with an error status. `status` is what classification reads: 408,
 * 425, 429, 5xx and 529 are transient (retried, counted by the breaker), other 4xx permanent.
 */
export class UpstreamStatusError extends BreakwaterError {
  readonly status: number;
  readonly headers: UpstreamHeaders;
  readonly body: Buffer;
  readonly upstream: string;
  /** The wait the upstream asked for, read from its retry headers; undefined when it named none. */
  readonly retryAfterMs: number | undefined;
  readonly verdict: ErrorVerdict;
  constructor(
    upstream: string,
    status: number,
    headers: UpstreamHeaders,
    body: Buffer,
    retryAfterMs: number | undefined,
    verdict: ErrorVerdict,
  ) {
    super(`upstream "${upstream}" answered ${status}`);
    this.upstream = upstream;
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
    this.verdict = verdict;
  }
}
brandError(UpstreamStatusError, 'UpstreamStatusError');

/**
 * A try ran past its limit: no response, no first chunk, a stall between chunks, or the
 * route's total budget (`timeout.totalMs`, phase `total`) spent, even mid-stream.
 */
export class UpstreamTimeoutError extends TimeoutError {
  readonly phase: 'response' | 'first-chunk' | 'idle' | 'total';
  constructor(ms: number, phase: 'response' | 'first-chunk' | 'idle' | 'total') {
    super(ms);
    this.phase = phase;
    this.message =
      phase === 'total'
        ? `the route's total budget (timeout.totalMs) ran out ${ms} ms into the upstream try`
        : `upstream ${phaseText[phase]} within ${ms} ms`;
  }
}
brandError(UpstreamTimeoutError, 'UpstreamTimeoutError');

const phaseText = {
  response: 'did not answer',
  'first-chunk': 'sent no content',
  idle: 'sent nothing more',
} as const;

/** A stream that ended or failed before its answer was complete. */
export class StreamBrokenError extends TransientError {
  /** Content events the client had been sent when it broke. */
  readonly chunks: number;
  constructor(message: string, chunks: number, options: { cause?: unknown } = {}) {
    super(message, options);
    this.chunks = chunks;
  }
}
brandError(StreamBrokenError, 'StreamBrokenError');

/** The client went away: the attempt was cancelled, which says nothing about the upstream. */
export class ClientGoneError extends PermanentError {
  constructor() {
    super('the client disconnected');
  }
}
brandError(ClientGoneError, 'ClientGoneError');

export const isUpstreamStatusError = kindGuard<UpstreamStatusError>('UpstreamStatusError');
export const isUpstreamTimeoutError = kindGuard<UpstreamTimeoutError>('UpstreamTimeoutError');
export const isStreamBrokenError = kindGuard<StreamBrokenError>('StreamBrokenError');
export const isClientGoneError = kindGuard<ClientGoneError>('ClientGoneError');
