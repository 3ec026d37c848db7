/**
 * Streaming calls with the real openai SDK against a fake OpenAI-compatible server on
 * 127.0.0.1 (SPEC §9). Real sockets and short real deadlines: the tests assert what happens
 * and in which order, waiting for conditions with generous bounds, never for speed.
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createResilience,
  fallbackChain,
  isStreamInterruptedError,
  openAIStream,
  pipeline,
  stream,
  type Context,
  type Resilience,
} from '../../src/core/index.js';
import { startFakeLLMServer, type FakeLLMServer } from '../support/fake-llm-server.js';
import { waitFor } from '../support/wait-for.js';
import { drain } from './sources.js';

let server: FakeLLMServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startFakeLLMServer('openai');
  // The SDK's own retries are off, so that every retry seen here is breakwater's.
  client = new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const noWait = { kind: 'constant', delayMs: 0 } as const;

/** The SDK call as an application writes it: the attempt's signal from `resilience.signal()`. */
const completeWith = (resilience: Resilience) => (prompt: string) =>
  client.chat.completions.create(
    { model: 'fake-model', messages: [{ role: 'user', content: prompt }], stream: true },
    { signal: resilience.signal() },
  );

const text = (chunks: readonly ChatCompletionChunk[]): string =>
  chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

function chat(deadlines: { firstChunkMs?: number; idleMs?: number } = {}, retries = 3) {
  const resilience = createResilience();
  return resilience.wrapStream('chat', completeWith(resilience), {
    config: { retry: { maxAttempts: retries, backoff: noWait } },
    stream: openAIStream({ firstChunkMs: 2_000, idleMs: 2_000, ...deadlines }),
  });
}

describe('the openai SDK’s stream through wrapStream', () => {
  it('retries a 5xx before the first chunk; the consumer gets the whole answer', async () => {
    server.plan({ status: 503 }, { chunks: 4 });
    const result = await drain(chat()('hi'));
    expect(result.error).toBeUndefined();
    expect(text(result.chunks)).toBe('t1t2t3t4');
    expect(result.chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(server.requests).toHaveLength(2);
  });

  it('retries a dropped connection before the first chunk', async () => {
    server.plan({ drop: true }, { chunks: 2 });
    const result = await drain(chat()('hi'));
    expect(text(result.chunks)).toBe('t1t2');
    expect(server.requests).toHaveLength(2);
  });

  it('moves to the next attempt when no first chunk comes within firstChunkMs', async () => {
    server.plan({ chunks: 2, firstDelayMs: 60_000 }, { chunks: 2 });
    const result = await drain(chat({ firstChunkMs: 300 })('hi'));
    expect(result.error).toBeUndefined();
    expect(text(result.chunks)).toBe('t1t2');
    expect(server.requests).toHaveLength(2);
    await waitFor(() => server.abandoned() >= 1, 10_000, 'the slow attempt’s socket to close');
  });

  it('answers with the fallback’s stream once the attempts give no first chunk', async () => {
    server.plan({ chunks: 2, firstDelayMs: 60_000 });
    const backup = await startFakeLLMServer('openai');
    backup.plan({ chunks: 3 });
    const other = new OpenAI({ apiKey: 'k', baseURL: `${backup.url}/v1`, maxRetries: 0 });
    try {
      const resilience = createResilience();
      const ask = resilience.wrapStream('chat', completeWith(resilience), {
        config: { retry: { maxAttempts: 2, backoff: noWait } },
        stream: openAIStream({ firstChunkMs: 300 }),
        fallback: (_error, prompt) =>
          other.chat.completions.create(
            {
              model: 'backup-model',
              messages: [{ role: 'user', content: prompt }],
              stream: true,
            },
            { signal: resilience.signal() },
          ),
      });
      const result = await drain(ask('hi'));
      expect(result.error).toBeUndefined();
      expect(text(result.chunks)).toBe('t1t2t3');
      expect(server.requests).toHaveLength(2);
      expect(backup.requests).toHaveLength(1);
      expect(resilience.metrics('chat')).toMatchObject({ totalCalls: 1, fallbackCalls: 1 });
    } finally {
      await backup.close();
    }
  });

  it('moves down a fallback chain past an alternative that gives no first chunk, closing its socket', async () => {
    server.plan({ status: 503 }, { chunks: 2, firstDelayMs: 60_000 });
    const backup = await startFakeLLMServer('openai');
    backup.plan({ chunks: 3 });
    const other = new OpenAI({ apiKey: 'k', baseURL: `${backup.url}/v1`, maxRetries: 0 });
    const request = (on: OpenAI, model: string) => (ctx: Context) =>
      on.chat.completions.create(
        { model, messages: [{ role: 'user', content: 'hi' }], stream: true },
        { signal: ctx.signal },
      );
    try {
      const before = server.abandoned();
      const chain = fallbackChain([
        { name: 'same provider, other model', priority: 1, run: request(client, 'other-model') },
        { name: 'backup provider', priority: 2, run: request(other, 'backup-model') },
      ]);
      const answered: string[] = [];
      chain.onFallback((event) => answered.push(event.source));
      const policy = pipeline(chain, stream(openAIStream({ firstChunkMs: 300 })));
      const result = await drain(policy.executeStream(request(client, 'fake-model')));
      expect(result.error).toBeUndefined();
      expect(text(result.chunks)).toBe('t1t2t3');
      expect(answered).toEqual(['backup provider']);
      expect(server.requests).toHaveLength(2);
      expect(backup.requests).toHaveLength(1);
      await waitFor(
        () => server.abandoned() === before + 1,
        10_000,
        'the silent alternative’s socket to close',
      );
    } finally {
      await backup.close();
    }
  });

  it('throws StreamInterruptedError after N chunks when the stream stalls past idleMs, and closes the socket', async () => {
    server.plan({ chunks: 4, then: 'stall' });
    const before = server.abandoned();
    const result = await drain(chat({ idleMs: 300 })('hi'));
    expect(result.chunks).toHaveLength(4);
    expect(isStreamInterruptedError(result.error)).toBe(true);
    expect(result.error).toMatchObject({ chunks: 4, reason: 'stalled' });
    expect(server.requests).toHaveLength(1);
    await waitFor(() => server.abandoned() === before + 1, 10_000, 'the server to see the close');
  });

  it('never ends cleanly a stream cut without its final chunk', async () => {
    server.plan({ chunks: 3, then: 'cut' });
    const result = await drain(chat()('hi'));
    expect(result.chunks).toHaveLength(3);
    expect(result.error).toMatchObject({ name: 'StreamInterruptedError', reason: 'incomplete' });
  });

  it('turns a connection reset mid-stream into an interruption, never retried', async () => {
    server.plan({ chunks: 2, gapMs: 50, then: 'reset' });
    const result = await drain(chat()('hi'));
    expect(result.chunks).toHaveLength(2);
    expect(result.error).toMatchObject({
      name: 'StreamInterruptedError',
      reason: 'error',
      chunks: 2,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('reports a malformed chunk as an error, handing on only the good chunks', async () => {
    server.plan({ chunks: 2, then: 'malformed' });
    const result = await drain(chat()('hi'));
    expect(text(result.chunks)).toBe('t1t2');
    expect(result.error).toMatchObject({ name: 'StreamInterruptedError', reason: 'error' });
    expect((result.error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('closes the upstream socket when the consumer breaks after 3 chunks', async () => {
    server.plan({ chunks: 50, gapMs: 20 });
    const before = server.abandoned();
    const seen: ChatCompletionChunk[] = [];
    for await (const chunk of chat()('hi')) {
      seen.push(chunk);
      if (seen.length === 3) break;
    }
    expect(text(seen)).toBe('t1t2t3');
    await waitFor(() => server.abandoned() === before + 1, 10_000, 'the server to see the close');
  });
});
