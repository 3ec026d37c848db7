/**
 * Streaming calls with the real @anthropic-ai/sdk against a fake Anthropic server on
 * 127.0.0.1 (SPEC §9): `messages.create({ stream: true })` and `messages.stream()`.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicStream, createResilience } from '../../src/core/index.js';
import { startFakeLLMServer, type FakeLLMServer } from '../support/fake-llm-server.js';
import { waitFor } from '../support/wait-for.js';
import { drain } from './sources.js';

let server: FakeLLMServer;
let client: Anthropic;

beforeAll(async () => {
  server = await startFakeLLMServer('anthropic');
  client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const noWait = { kind: 'constant', delayMs: 0 } as const;
const params = (prompt: string) => ({
  model: 'fake-model',
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: prompt }],
});

const text = (events: readonly MessageStreamEvent[]): string =>
  events
    .map((event) =>
      event.type === 'content_block_delta' && event.delta.type === 'text_delta'
        ? event.delta.text
        : '',
    )
    .join('');

function wrapped(idleMs = 2_000) {
  const resilience = createResilience();
  return resilience.wrapStream(
    'claude',
    (prompt: string) =>
      client.messages.create({ ...params(prompt), stream: true }, { signal: resilience.signal() }),
    {
      config: { retry: { maxAttempts: 3, backoff: noWait } },
      stream: anthropicStream({ firstChunkMs: 2_000, idleMs }),
    },
  );
}

describe('the Anthropic SDK’s message stream through wrapStream', () => {
  it('retries an overloaded (529) answer before the first event; the consumer gets the whole message', async () => {
    server.plan({ status: 529 }, { chunks: 3 });
    const result = await drain(wrapped()('hi'));
    expect(result.error).toBeUndefined();
    expect(text(result.chunks)).toBe('t1t2t3');
    expect(result.chunks.at(-1)?.type).toBe('message_stop');
    expect(server.requests).toHaveLength(2);
  });

  it('moves to the next attempt when no first event comes within firstChunkMs, closing the slow socket', async () => {
    server.plan({ chunks: 2, firstDelayMs: 60_000 }, { chunks: 2 });
    const before = server.abandoned();
    const resilience = createResilience();
    const ask = resilience.wrapStream(
      'claude',
      (prompt: string) =>
        client.messages.create(
          { ...params(prompt), stream: true },
          { signal: resilience.signal() },
        ),
      {
        config: { retry: { maxAttempts: 2, backoff: noWait } },
        stream: anthropicStream({ firstChunkMs: 300 }),
      },
    );
    const result = await drain(ask('hi'));
    expect(result.error).toBeUndefined();
    expect(text(result.chunks)).toBe('t1t2');
    expect(server.requests).toHaveLength(2);
    expect(resilience.metrics('claude')).toMatchObject({ totalCalls: 1, retryAttempts: 1 });
    await waitFor(
      () => server.abandoned() === before + 1,
      10_000,
      'the slow attempt’s socket to close',
    );
  });

  it('throws StreamInterruptedError when the stream stalls, counting the events delivered, and closes the socket', async () => {
    server.plan({ chunks: 2, then: 'stall' });
    const before = server.abandoned();
    const result = await drain(wrapped(300)('hi'));
    // message_start, content_block_start and two deltas.
    expect(result.chunks).toHaveLength(4);
    expect(result.error).toMatchObject({
      name: 'StreamInterruptedError',
      chunks: 4,
      reason: 'stalled',
    });
    await waitFor(() => server.abandoned() === before + 1, 10_000, 'the server to see the close');
  });

  it('never ends cleanly a message cut before message_stop', async () => {
    server.plan({ chunks: 3, then: 'cut' });
    const result = await drain(wrapped()('hi'));
    expect(text(result.chunks)).toBe('t1t2t3');
    expect(result.error).toMatchObject({ name: 'StreamInterruptedError', reason: 'incomplete' });
  });

  it('reports a malformed event as an error, handing on only the good ones', async () => {
    server.plan({ chunks: 2, then: 'malformed' });
    const result = await drain(wrapped()('hi'));
    expect(text(result.chunks)).toBe('t1t2');
    expect(result.error).toMatchObject({ name: 'StreamInterruptedError', reason: 'error' });
  });

  it('closes the upstream socket when the consumer breaks after 3 events', async () => {
    server.plan({ chunks: 50, gapMs: 20 });
    const before = server.abandoned();
    let seen = 0;
    for await (const event of wrapped()('hi')) {
      expect(event.type).toBeDefined();
      if (++seen === 3) break;
    }
    await waitFor(() => server.abandoned() === before + 1, 10_000, 'the server to see the close');
  });

  it('accepts messages.stream() (a MessageStream) as the source', async () => {
    server.plan({ status: 500 }, { chunks: 2 });
    const resilience = createResilience();
    const ask = resilience.wrapStream(
      'claude',
      (prompt: string) => client.messages.stream(params(prompt), { signal: resilience.signal() }),
      {
        config: { retry: { maxAttempts: 2, backoff: noWait } },
        stream: anthropicStream({ firstChunkMs: 2_000 }),
      },
    );
    const result = await drain(ask('hi'));
    expect(result.error).toBeUndefined();
    expect(text(result.chunks)).toBe('t1t2');
    expect(server.requests).toHaveLength(2);
  });
});
