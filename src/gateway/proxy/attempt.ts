import type { IncomingHttpHeaders } from 'node:http';
import { request, type Dispatcher } from 'undici';
import type { RouteKind } from '../config/schema.js';
import { ClientGoneError, UpstreamStatusError, type UpstreamHeaders } from '../upstream/errors.js';
import { upstreamRequestHeaders, upstreamUrl } from '../upstream/headers.js';
import { upstreamRetryAfterMs } from '../upstream/retry-after.js';
import { errorVerdict } from '../upstream/verdict.js';
import type { ResponseSink } from './sink.js';
import { pumpBody, pumpEvents, type StreamHooks } from './stream.js';
import { TryAbort } from './try-abort.js';
import { TryTimer } from './try-timer.js';

/** An upstream as attempts use it: its base URL, its headers and its connection pool. */
export interface UpstreamTarget {
  readonly name: string;
  readonly base: URL;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly dispatcher: Dispatcher;
}

/** One try of one request against one upstream. */
export interface AttemptPlan {
  readonly upstream: UpstreamTarget;
  readonly kind: RouteKind;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly clientHeaders: IncomingHttpHeaders;
  readonly body: Buffer | undefined;
  /** The limit for an answer (a plain response whole; a stream's first chunk of content). */
  readonly tryMs: number;
  /** What `tryMs` bounds, for the timeout's message: `first-chunk` when a stream was asked for. */
  readonly tryPhase: 'response' | 'first-chunk';
  /** The limit for each gap between chunks once a stream has started. */
  readonly idleMs: number;
  /** When the route's total budget ends (epoch ms): no try, nor any stream, outlives it. */
  readonly deadlineAt: number;
  /** Largest body held in memory; a larger plain answer is passed through as it comes. */
  readonly responseBytes: number;
  readonly clientSignal: AbortSignal;
}

export type AttemptOutcome =
  | {
      readonly type: 'response';
      readonly status: number;
      readonly headers: UpstreamHeaders;
      readonly body: Buffer;
    }
  /** The answer went to the client as it came (a stream, or a body too large to hold). */
  | { readonly type: 'streamed' };

const isEventStream = (headers: UpstreamHeaders): boolean => {
  const type = headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('text/event-stream');
};

async function readLimited(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > limit) break;
    parts.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(parts);
}

/**
 * Sends the request upstream and reads the answer. An error status is thrown as an
 * `UpstreamStatusError` (with its body read, for the LLM kinds' verdicts); a stream is
 * relayed to the client through `hooks` once its first chunk of content arrives. A client
 * that goes away cancels the upstream request and surfaces as `ClientGoneError`.
 */
export async function attempt(
  plan: AttemptPlan,
  attemptSignal: AbortSignal | undefined,
  sink: ResponseSink,
  hooks: StreamHooks,
): Promise<AttemptOutcome> {
  // One abort per try, by the call's signal (the client's) or by the timer. (Node 20's
  // AbortSignal.any keeps its sources alive far longer than a try lasts.)
  const abort = new TryAbort();
  const timer = new TryTimer(abort, plan.deadlineAt);
  if (attemptSignal?.aborted === true) abort.abort(attemptSignal.reason);
  else attemptSignal?.addEventListener('abort', abort, { once: true });
  timer.arm(plan.tryMs, plan.tryPhase);
  try {
    const readsBody = plan.kind !== 'http';
    const response = await request(upstreamUrl(plan.upstream.base, plan.pathAndQuery), {
      method: plan.method,
      headers: upstreamRequestHeaders(
        plan.clientHeaders,
        plan.upstream.headers,
        readsBody,
        plan.body?.length,
      ),
      body: plan.body ?? null,
      signal: abort,
      dispatcher: plan.upstream.dispatcher,
    });
    const { statusCode, headers, body } = response;
    if (statusCode >= 400) {
      const text = await readLimited(body, plan.responseBytes);
      throw new UpstreamStatusError(
        plan.upstream.name,
        statusCode,
        headers,
        text,
        upstreamRetryAfterMs(headers),
        errorVerdict(plan.kind, statusCode, text),
      );
    }
    if (isEventStream(headers)) {
      await pumpEvents(body, statusCode, headers, plan, timer, sink, hooks);
      return { type: 'streamed' };
    }
    const length = Number(headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(length) && length <= plan.responseBytes) {
      // A body of known, acceptable size is read in one go: the common JSON answer.
      const whole = Buffer.from(await body.arrayBuffer());
      return { type: 'response', status: statusCode, headers, body: whole };
    }
    return await pumpBody(body, statusCode, headers, plan, timer, sink, hooks);
  } catch (error) {
    if (plan.clientSignal.aborted) throw new ClientGoneError();
    if (abort.aborted) throw abort.reason;
    throw error;
  } finally {
    timer.clear();
    attemptSignal?.removeEventListener('abort', abort);
  }
}
