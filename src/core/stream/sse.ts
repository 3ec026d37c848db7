import { MalformedChunkError } from '../errors/classes.js';

/** One Server-Sent Event: its `event` field (`'message'` when absent) and its data lines joined. */
export interface SSEEvent {
  readonly event: string;
  readonly data: string;
}

/** A response body: a web `ReadableStream` (fetch, undici) or any async iterable of bytes (a Node stream). */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

async function* bytesOf(body: ByteSource): AsyncGenerator<Uint8Array> {
  if (!('getReader' in body)) {
    yield* body;
    return;
  }
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    // Stopped early: cancelling the body closes the connection under it.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

const LINE_END = /\r\n|\r|\n/;

/**
 * Parses a Server-Sent Events body (the WHATWG event-stream format): comments are skipped,
 * `data` lines are joined, an event is dispatched at each blank line, and an event cut off
 * by the end of the body is dropped, as the format says. Closing the iteration early
 * cancels the body.
 */
export async function* sseEvents(body: ByteSource): AsyncGenerator<SSEEvent, void, undefined> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  for await (const bytes of bytesOf(body)) {
    let text = buffer + decoder.decode(bytes, { stream: true });
    // A final '\r' may be half of a '\r\n' still on its way: keep it back with the rest.
    const heldBack = text.endsWith('\r');
    if (heldBack) text = text.slice(0, -1);
    const lines = text.split(LINE_END);
    buffer = (lines.pop() ?? '') + (heldBack ? '\r' : '');
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0)
          yield { event: event === '' ? 'message' : event, data: data.join('\n') };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
    }
  }
}

/**
 * The chunks of an OpenAI-compatible streaming body (`/v1/chat/completions` with
 * `stream: true`, read with fetch or undici): each event's data parsed as JSON, up to
 * `data: [DONE]`. Data that is not a JSON object throws `MalformedChunkError`; nothing
 * malformed is ever handed on. Pair it with `isOpenAIComplete` so that a body cut before
 * its final chunk is an interruption, not a clean end.
 */
export async function* openAIChunks<T = OpenAIChunkShape>(
  body: ByteSource,
): AsyncGenerator<T, void, undefined> {
  for await (const { data } of sseEvents(body)) {
    if (data === '[DONE]') return;
    yield parseChunk(data) as T;
  }
}

/** The fields of a chat-completion chunk that breakwater reads. */
export interface OpenAIChunkShape {
  readonly choices?: readonly { readonly finish_reason?: string | null }[];
  readonly usage?: unknown;
}

function parseChunk(data: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (error) {
    throw new MalformedChunkError(data, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedChunkError(data);
  }
  return parsed;
}
