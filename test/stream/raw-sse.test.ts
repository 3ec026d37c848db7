/**
 * A raw OpenAI-compatible SSE body read with fetch and `openAIChunks`, against the fake
 * server on 127.0.0.1, and the SSE parser's edge cases on hand-made bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MalformedChunkError,
  isOpenAIComplete,
  openAIChunks,
  openAIStream,
  pipeline,
  retry,
  sseEvents,
  stream,
  constant,
  type Context,
  type OpenAIChunkShape,
} from '../../src/core/index.js';
import { startFakeLLMServer, type FakeLLMServer } from '../support/fake-llm-server.js';
import { waitFor } from '../support/wait-for.js';
import { drain } from './sources.js';

let server: FakeLLMServer;
beforeAll(async () => {
  server = await startFakeLLMServer('openai');
});
afterAll(() => server.close());

async function post(ctx: Context): Promise<AsyncIterable<OpenAIChunkShape>> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fake-model', stream: true, messages: [] }),
    signal: ctx.signal,
  });
  if (!response.ok || response.body === null) {
    throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
  }
  return openAIChunks(response.body);
}

const policy = pipeline(
  retry({ maxAttempts: 3, backoff: constant(0) }),
  stream(openAIStream({ firstChunkMs: 2_000, idleMs: 2_000 })),
);

const bytes = (...parts: string[]): AsyncIterable<Uint8Array> =>
  (async function* () {
    for (const part of parts) yield await Promise.resolve(new TextEncoder().encode(part));
  })();

describe('openAIChunks over fetch', () => {
  it('reads a whole answer, retrying a 5xx first', async () => {
    server.plan({ status: 502 }, { chunks: 3 });
    const result = await drain(policy.executeStream(post));
    expect(result.error).toBeUndefined();
    expect(result.chunks).toHaveLength(4);
    expect(isOpenAIComplete(result.chunks.at(-1) as OpenAIChunkShape)).toBe(true);
  });

  it('throws MalformedChunkError for broken JSON, never handing it on', async () => {
    server.plan({ chunks: 2, then: 'malformed' });
    const result = await drain(policy.executeStream(post));
    expect(result.chunks).toHaveLength(2);
    expect((result.error as Error).cause).toBeInstanceOf(MalformedChunkError);
  });

  it('fails a body cut before its finish_reason', async () => {
    server.plan({ chunks: 2, then: 'cut' });
    const result = await drain(policy.executeStream(post));
    expect(result.error).toMatchObject({ reason: 'incomplete', chunks: 2 });
  });

  it('cancels the body, closing the socket, when the consumer breaks', async () => {
    server.plan({ chunks: 50, gapMs: 20 });
    const before = server.abandoned();
    let seen = 0;
    for await (const chunk of policy.executeStream(post)) {
      expect(chunk.choices).toBeDefined();
      if (++seen === 3) break;
    }
    await waitFor(() => server.abandoned() === before + 1, 10_000, 'the server to see the close');
  });
});

describe('sseEvents', () => {
  it('joins data lines, skips comments, keeps event names, and splits CRLF across reads', async () => {
    const events = await drain(
      sseEvents(
        bytes(
          ': hello\r',
          '\nevent: a\r\ndata: 1\r\ndata:2\r',
          '\n\r\n',
          'data: x\n\n',
          'data: cut',
        ),
      ),
    );
    expect(events.chunks).toEqual([
      { event: 'a', data: '1\n2' },
      { event: 'message', data: 'x' },
    ]);
  });

  it('decodes a character split across reads', async () => {
    const euro = new TextEncoder().encode('data: €\n\n');
    const split = (async function* () {
      yield await Promise.resolve(euro.slice(0, 7));
      yield euro.slice(7);
    })();
    expect((await drain(sseEvents(split))).chunks).toEqual([{ event: 'message', data: '€' }]);
  });

  it('rejects data that is not a JSON object', async () => {
    const result = await drain(openAIChunks(bytes('data: [1,2]\n\n')));
    expect(result.error).toBeInstanceOf(MalformedChunkError);
    expect(result.chunks).toEqual([]);
  });
});

describe('isOpenAIComplete', () => {
  it('accepts a finish_reason or the usage chunk after it, nothing else', () => {
    expect(isOpenAIComplete({ choices: [{ finish_reason: 'stop' }] })).toBe(true);
    expect(isOpenAIComplete({ choices: [], usage: { total_tokens: 3 } })).toBe(true);
    expect(isOpenAIComplete({ choices: [{ finish_reason: null }] })).toBe(false);
    expect(isOpenAIComplete({ choices: [] })).toBe(false);
    expect(isOpenAIComplete({})).toBe(false);
  });
});
