import type { Readable } from 'node:stream';
import type { RouteKind } from '../config/schema.js';
import { dialects, type EventMeaning } from '../sse/dialect.js';
import { SseParser, type SseEvent } from '../sse/parser.js';
import {
  StreamBrokenError,
  isUpstreamTimeoutError,
  type UpstreamHeaders,
} from '../upstream/errors.js';
import { clientResponseHeaders } from '../upstream/headers.js';
import type { AttemptOutcome, AttemptPlan } from './attempt.js';
import { eachChunk, type ChunkStep } from './each-chunk.js';
import type { ResponseSink } from './sink.js';
import type { TryTimer } from './try-timer.js';

/** What a request's stream has shown the client so far, across every target it used. */
export interface StreamProgress {
  /** Content events sent. */
  chunks: number;
  /** The answer's text sent so far (what a prefill resume continues from), when kept. */
  text: string;
  /**
   * Whether `text` is kept: only for a route that resumes (`resume: prefill`), so a long answer
   * costs no memory beyond the relay's buffers elsewhere.
   */
  keepsText: boolean;
  /** Whether a tool call was sent (then the answer cannot be continued from text). */
  toolCall: boolean;
  /** How the client's answer is framed once sent: events (an in-band error can end it) or bytes. */
  framing: 'events' | 'bytes' | undefined;
}

/** How an attempt talks to the rest of the request while it relays. */
export interface StreamHooks {
  readonly progress: StreamProgress;
  /** Continuing a broken stream: only the continuation's content goes on to the client. */
  readonly continuation: boolean;
  /**
   * The headers the client gets with the upstream's status: `upstream` (a record made for this
   * response) with the x-breakwater-* ones added to it.
   */
  headersFor(upstream: Record<string, string | string[]>): Record<string, string | string[]>;
  /** A malformed event was dropped. */
  onMalformed(event: SseEvent): void;
  /** The client is about to get its first byte. */
  onCommit(): void;
}

/** In a continuation, the events that carry the answer on; its own preamble is dropped. */
function continues(kind: RouteKind, meaning: EventMeaning, event: SseEvent): boolean {
  if (meaning.content || meaning.finish || meaning.done) return true;
  return kind === 'anthropic' && event.event === 'content_block_stop';
}

/**
 * Writes `data` to the client, then gives the upstream `idleMs` for what comes next. While the
 * client's buffer is full nothing is read from the upstream: that wait is the client's (the
 * sink bounds it), so the upstream's idle limit is off until the client has drained.
 */
function relay(
  sink: ResponseSink,
  data: string | Uint8Array,
  timer: TryTimer,
  idleMs: number,
): Promise<void> | undefined {
  const pending = sink.write(data);
  if (pending === undefined) {
    timer.arm(idleMs, 'idle');
    return undefined;
  }
  timer.clear();
  return pending.then(() => timer.arm(idleMs, 'idle'));
}

/** Empties `parts` into one buffer (the only one when there is one). */
function joined(parts: Buffer[]): Buffer {
  const one = parts.length === 1 ? parts[0] : undefined;
  const whole = one ?? Buffer.concat(parts);
  parts.length = 0;
  return whole;
}

/**
 * Relays an event stream: events before the first chunk of content are held (a role-only
 * delta is not content), so a failure there can still fail over; then every event goes to
 * the client as it came, with `idleMs` between them. A malformed event is dropped; an
 * upstream's in-band error, a stall or an end before the answer is complete is a
 * `StreamBrokenError`; an answer finished without its end marker gets one.
 */
export async function pumpEvents(
  body: Readable,
  status: number,
  headers: UpstreamHeaders,
  plan: AttemptPlan,
  timer: TryTimer,
  sink: ResponseSink,
  hooks: StreamHooks,
): Promise<void> {
  const dialect = dialects[plan.kind];
  const parser = new SseParser();
  const { progress } = hooks;
  const held: Buffer[] = [];
  let started = false;
  let finished = false;
  let done = false;
  // What one upstream chunk adds for the client goes out in one write, as the upstream's bytes.
  const out: Buffer[] = [];
  const start = (): void => {
    started = true;
    progress.framing ??= 'events';
    if (!sink.committed) {
      hooks.onCommit();
      // Without the upstream's content-length (never passed on): the events are relayed as
      // they come.
      sink.commit(status, hooks.headersFor(clientResponseHeaders(headers)));
    }
    out.push(...held.splice(0));
  };
  const flush = (): Promise<void> | undefined =>
    out.length > 0 ? sink.write(joined(out)) : undefined;
  const onChunk = (chunk: Buffer): ChunkStep => {
    let broken: StreamBrokenError | undefined;
    for (const event of parser.push(chunk)) {
      const meaning = dialect.meaning(event);
      if (meaning.malformed) {
        hooks.onMalformed(event);
        continue;
      }
      if (meaning.error !== undefined) {
        broken = new StreamBrokenError(`the upstream reported: ${meaning.error}`, progress.chunks);
        break;
      }
      if (meaning.finish) finished = true;
      const carries = meaning.content || meaning.finish || meaning.done;
      if (!started && !carries) {
        if (!hooks.continuation) held.push(event.raw);
        continue;
      }
      if (!started) start();
      if (!hooks.continuation || continues(plan.kind, meaning, event)) out.push(event.raw);
      if (meaning.content) {
        progress.chunks++;
        if (progress.keepsText) progress.text += meaning.text;
        if (meaning.toolCall) progress.toolCall = true;
      }
      if (meaning.done) {
        done = true;
        break;
      }
    }
    const pending = started ? relay(sink, joined(out), timer, plan.idleMs) : undefined;
    if (broken !== undefined) {
      const error = broken;
      if (pending === undefined) throw error;
      return pending.then(() => Promise.reject(error));
    }
    if (done) return pending === undefined ? 'stop' : pending.then(() => 'stop' as const);
    return pending?.then(() => undefined);
  };
  try {
    await eachChunk(body, onChunk);
  } catch (error) {
    await flush();
    // An upstream that finished the answer and then went quiet has said all it had to say.
    const stalled = isUpstreamTimeoutError(error) || timer.fired === 'idle';
    if (!(finished && started && stalled)) throw error;
  }
  timer.clear();
  await flush();
  if (!done && finished) await sink.write(dialect.doneMarker);
  if (done || finished || !dialect.knowsCompletion) {
    if (!started) start();
    await flush();
    sink.end();
    return;
  }
  throw new StreamBrokenError(
    started
      ? 'the upstream ended the stream before the answer was complete'
      : 'the upstream ended the stream before any content',
    progress.chunks,
  );
}

/**
 * Reads a plain answer whole, up to `responseBytes`; a larger one is passed through as it
 * comes (headers with its first bytes), and a failure after that cuts the connection so the
 * client cannot take it for complete.
 */
export async function pumpBody(
  body: AsyncIterable<Buffer>,
  status: number,
  headers: UpstreamHeaders,
  plan: AttemptPlan,
  timer: TryTimer,
  sink: ResponseSink,
  hooks: StreamHooks,
): Promise<AttemptOutcome> {
  const parts: Buffer[] = [];
  let size = 0;
  let passing = false;
  for await (const chunk of body) {
    if (passing) {
      await relay(sink, chunk, timer, plan.idleMs);
      continue;
    }
    parts.push(chunk);
    size += chunk.length;
    if (size > plan.responseBytes) {
      passing = true;
      hooks.progress.framing = 'bytes';
      hooks.onCommit();
      const own = clientResponseHeaders(headers);
      sink.commit(status, hooks.headersFor(own));
      for (const part of parts.splice(0)) await sink.write(part);
    }
  }
  if (passing) {
    sink.end();
    return { type: 'streamed' };
  }
  return { type: 'response', status, headers, body: Buffer.concat(parts) };
}
