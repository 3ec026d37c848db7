import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/gateway/index.js';
import {
  anthropicEvents,
  fakeUpstream,
  openaiEvents,
  tokens,
  type Behaviour,
  type FakeUpstream,
} from '../support/fake-llm.js';
import { waitFor } from '../support/wait-for.js';
import { countsOf, startGateway, upstreamsOf, type Running } from './helpers.js';

let running: Running | undefined;
let fakes: Record<string, FakeUpstream> = {};

afterEach(async () => {
  await running?.close();
  running = undefined;
  await Promise.all(Object.values(fakes).map((fake) => fake.close()));
  fakes = {};
});

type Route = GatewayConfig['routes'][number];

async function setUp(
  behaviours: Record<string, (n: number) => Behaviour>,
  route: Partial<Route> = {},
) {
  fakes = {};
  for (const [name, behaviour] of Object.entries(behaviours)) {
    fakes[name] = await fakeUpstream((_, n) => behaviour(n));
  }
  running = await startGateway({
    listen: { port: 0 },
    upstreams: upstreamsOf(fakes),
    routes: [
      {
        name: 'chat',
        kind: 'openai',
        match: { method: 'POST', path: '/v1/chat/completions' },
        targets: Object.keys(behaviours).map((upstream) => ({ upstream })),
        retry: { maxAttempts: 1 },
        timeout: { perTryMs: 1_000, totalMs: 5_000 },
        stream: { firstChunkMs: 300, idleMs: 300 },
        ...route,
      },
      {
        name: 'messages',
        kind: 'anthropic',
        match: { method: 'POST', path: '/v1/messages' },
        targets: Object.keys(behaviours).map((upstream) => ({ upstream })),
        retry: { maxAttempts: 1 },
        timeout: { perTryMs: 1_000, totalMs: 5_000 },
        stream: { firstChunkMs: 300, idleMs: 300 },
        ...route,
      },
    ],
  });
}

async function post(path: string, body: Record<string, unknown>) {
  const res = await fetch(`${running?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { res, text: await res.text(), header: (name: string) => res.headers.get(name) };
}

const streamChat = (messages: unknown[] = [{ role: 'user', content: 'hi' }]) =>
  post('/v1/chat/completions', { model: 'gpt-4o', stream: true, messages });

const openaiError = (message: string): string =>
  `data: ${JSON.stringify({ error: { message: `the upstream stream was interrupted: ${message}`, type: 'stream_interrupted', code: 'upstream_stream_interrupted' } })}\n\n`;

describe('openai streams', () => {
  it('passes a whole stream through byte for byte', async () => {
    const events = openaiEvents(tokens(5));
    await setUp({ primary: () => ({ type: 'stream', events }) });
    const { res, text, header } = await streamChat();
    expect(res.status).toBe(200);
    expect(header('content-type')).toBe('text/event-stream');
    expect(header('x-breakwater-upstream')).toBe('primary');
    expect(text).toBe(events.join(''));
  });

  it('ends the answer at [DONE] and cuts an upstream that stays open after it, without blaming it', async () => {
    const events = openaiEvents(tokens(3));
    await setUp({
      // The upstream stalls where a next event would be: after its [DONE], the socket open.
      primary: () => ({
        type: 'stream',
        events: [...events, ': never sent\n\n'],
        after: { events: events.length, then: 'stall' },
      }),
    });
    const breaker = running?.gateway.resilience.breaker('primary');
    let counted = 0;
    breaker?.onFailure(() => counted++);
    const { res, text } = await streamChat();
    expect(res.status).toBe(200);
    expect(text).toBe(events.join(''));
    await waitFor(
      () => fakes['primary']?.cancelled() === 1,
      5_000,
      'the upstream request to be cut',
    );
    expect(counted).toBe(0);
  });

  it('a first token later than firstChunkMs fails over before any byte: the client sees only the backup', async () => {
    const backup = openaiEvents(['from ', 'backup'], { id: 'b' });
    await setUp({
      primary: () => ({
        type: 'stream',
        events: openaiEvents(tokens(3)),
        firstDelayMs: 0,
        delayMs: 600,
      }),
      backup: () => ({ type: 'stream', events: backup }),
    });
    const { res, text, header } = await streamChat();
    expect(res.status).toBe(200);
    expect(header('x-breakwater-fallback')).toBe('backup');
    expect(header('x-breakwater-attempts')).toBe('2');
    expect(text).toBe(backup.join(''));
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 1 });
  });

  it('a role-only first delta does not count as content: a stall after it still fails over', async () => {
    const backup = openaiEvents(['ok']);
    await setUp({
      primary: () => ({
        type: 'stream',
        events: openaiEvents(tokens(3)),
        after: { events: 1, then: 'stall' },
      }),
      backup: () => ({ type: 'stream', events: backup }),
    });
    const { text, header } = await streamChat();
    expect(header('x-breakwater-upstream')).toBe('backup');
    expect(text).toBe(backup.join(''));
  });

  it('a stall after the first chunk ends with an in-band error, no [DONE]', async () => {
    const events = openaiEvents(tokens(6));
    await setUp({
      primary: () => ({ type: 'stream', events, after: { events: 3, then: 'stall' } }),
      backup: () => ({ type: 'stream', events: openaiEvents(['never']) }),
    });
    const { res, text } = await streamChat();
    expect(res.status).toBe(200);
    expect(text).toBe(
      events.slice(0, 3).join('') + openaiError('upstream sent nothing more within 300 ms'),
    );
    expect(text).not.toContain('[DONE]');
    // Without resume, the backup is not asked once the client has seen content.
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 0 });
  });

  it('a cut after the first chunk ends with an in-band error', async () => {
    const events = openaiEvents(tokens(6));
    await setUp({ primary: () => ({ type: 'stream', events, after: { events: 4, then: 'cut' } }) });
    const { text } = await streamChat();
    expect(text.startsWith(events.slice(0, 4).join(''))).toBe(true);
    expect(text.slice(events.slice(0, 4).join('').length)).toMatch(
      /^data: \{"error":\{"message":"the upstream stream was interrupted: /,
    );
    expect(text).not.toContain('[DONE]');
  });

  it('a malformed chunk is dropped and the stream goes on', async () => {
    const events = openaiEvents(tokens(3));
    const withBad = [...events.slice(0, 2), 'data: {"choices": [\n\n', ...events.slice(2)];
    await setUp({ primary: () => ({ type: 'stream', events: withBad }) });
    const malformed: unknown[] = [];
    running?.gateway.on('malformedEvent', (event) => malformed.push(event));
    const { text } = await streamChat();
    expect(text).toBe(events.join(''));
    expect(malformed).toEqual([{ route: 'chat', upstream: 'primary' }]);
  });

  it('a stream that ends after its finish_reason without [DONE] is finished with one', async () => {
    const events = openaiEvents(tokens(3), { done: false });
    await setUp({ primary: () => ({ type: 'stream', events }) });
    const { text } = await streamChat();
    expect(text).toBe(`${events.join('')}data: [DONE]\n\n`);
  });

  it('an upstream that sends its finish_reason and then goes quiet is finished at once with [DONE]', async () => {
    const events = openaiEvents(tokens(3), { done: false });
    await setUp({
      primary: () => ({
        type: 'stream',
        events: [...events, 'data: [DONE]\n\n'],
        after: { events: events.length, then: 'stall' },
      }),
    });
    const { text } = await streamChat();
    expect(text).toBe(`${events.join('')}data: [DONE]\n\n`);
  });

  it('an upstream that ends without a finish_reason gives an in-band error, never a clean end', async () => {
    const events = openaiEvents(tokens(3), { done: false }).slice(0, 3);
    await setUp({ primary: () => ({ type: 'stream', events }) });
    const { text } = await streamChat();
    expect(text).toBe(
      events.join('') + openaiError('the upstream ended the stream before the answer was complete'),
    );
  });

  it('a client that disconnects cancels the upstream request, and the breaker does not count it', async () => {
    await setUp({
      primary: () => ({ type: 'stream', events: openaiEvents(tokens(100)), delayMs: 20 }),
    });
    const breaker = running?.gateway.resilience.breaker('primary');
    let counted = 0;
    breaker?.onFailure(() => counted++);
    const controller = new AbortController();
    const res = await fetch(`${running?.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [] }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await waitFor(
      () => fakes['primary']?.cancelled() === 1,
      5_000,
      'the upstream request to be cancelled',
    );
    await waitFor(() => running?.gateway.inFlight() === 0, 5_000, 'the request to end');
    expect(counted).toBe(0);
    expect(fakes['primary']?.received).toHaveLength(1);
  });
});

describe('anthropic streams', () => {
  const ask = () =>
    post('/v1/messages', {
      model: 'claude-3-5-sonnet',
      stream: true,
      max_tokens: 10,
      messages: [],
    });

  it('passes a whole stream through byte for byte', async () => {
    const events = anthropicEvents(tokens(4));
    await setUp({ primary: () => ({ type: 'stream', events }) });
    const { text } = await ask();
    expect(text).toBe(events.join(''));
  });

  it('529 overloaded fails over; prompt too long moves on at once', async () => {
    const events = anthropicEvents(['ok']);
    await setUp({
      primary: () => ({
        type: 'json',
        status: 529,
        body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      }),
      second: () => ({
        type: 'json',
        status: 400,
        body: {
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: 'prompt is too long: 300000 tokens > 200000 maximum',
          },
        },
      }),
      third: () => ({ type: 'stream', events }),
    });
    const { text, header } = await ask();
    expect(text).toBe(events.join(''));
    expect(header('x-breakwater-fallback')).toBe('third');
    expect(countsOf(fakes)).toEqual({ primary: 1, second: 1, third: 1 });
  });

  it('a cut after the first chunk ends with event: error', async () => {
    const events = anthropicEvents(tokens(6));
    await setUp({ primary: () => ({ type: 'stream', events, after: { events: 5, then: 'cut' } }) });
    const { text } = await ask();
    expect(text.startsWith(events.slice(0, 5).join(''))).toBe(true);
    expect(text.slice(events.slice(0, 5).join('').length)).toMatch(
      /^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"the upstream stream was interrupted: .*"\}\}\n\n$/,
    );
  });
});

describe('anthropic streams: each failure, exact bytes', () => {
  const ask = () =>
    post('/v1/messages', {
      model: 'claude-3-5-sonnet',
      stream: true,
      max_tokens: 10,
      messages: [],
    });
  const anthropicError = (message: string): string =>
    `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message: `the upstream stream was interrupted: ${message}` } })}\n\n`;

  it('a first token later than firstChunkMs fails over before any byte (message_start and ping are not content)', async () => {
    const backup = anthropicEvents(['from ', 'backup'], 'claude-3-haiku');
    await setUp({
      primary: () => ({
        type: 'stream',
        events: anthropicEvents(tokens(3)),
        after: { events: 3, then: 'stall' },
      }),
      backup: () => ({ type: 'stream', events: backup }),
    });
    const { res, text, header } = await ask();
    expect(res.status).toBe(200);
    expect(header('x-breakwater-upstream')).toBe('backup');
    expect(header('x-breakwater-fallback')).toBe('backup');
    expect(header('x-breakwater-attempts')).toBe('2');
    expect(text).toBe(backup.join(''));
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 1 });
  });

  it('a stall after the first chunk ends with event: error, no message_stop, the backup not asked', async () => {
    const events = anthropicEvents(tokens(6));
    await setUp({
      primary: () => ({ type: 'stream', events, after: { events: 5, then: 'stall' } }),
      backup: () => ({ type: 'stream', events: anthropicEvents(['never']) }),
    });
    const { res, text } = await ask();
    expect(res.status).toBe(200);
    expect(text).toBe(
      events.slice(0, 5).join('') + anthropicError('upstream sent nothing more within 300 ms'),
    );
    expect(text).not.toContain('message_stop');
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 0 });
  });

  it('a malformed event is dropped and the stream goes on', async () => {
    const events = anthropicEvents(tokens(3));
    const withBad = [
      ...events.slice(0, 4),
      'event: content_block_delta\ndata: {"type": \n\n',
      ...events.slice(4),
    ];
    await setUp({ primary: () => ({ type: 'stream', events: withBad }) });
    const { text } = await ask();
    expect(text).toBe(events.join(''));
  });

  it('a stream that ends after its stop_reason without message_stop is finished with one', async () => {
    const events = anthropicEvents(tokens(3));
    await setUp({ primary: () => ({ type: 'stream', events: events.slice(0, -1) }) });
    const { text } = await ask();
    expect(text).toBe(events.join(''));
  });

  it('a stream that ends before its stop_reason gives event: error, never a clean end', async () => {
    const events = anthropicEvents(tokens(3));
    const cut = events.slice(0, -2);
    await setUp({ primary: () => ({ type: 'stream', events: cut }) });
    const { text } = await ask();
    expect(text).toBe(
      cut.join('') + anthropicError('the upstream ended the stream before the answer was complete'),
    );
  });
});

describe('resume: prefill', () => {
  const all = tokens(60);
  const textOf = (sse: string): string =>
    sse
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map(
        (event) => JSON.parse(event.slice(6)) as { choices?: { delta?: { content?: string } }[] },
      )
      .map((chunk) => chunk.choices?.[0]?.delta?.content ?? '')
      .join('');

  it('a stream cut after 40 of 60 tokens continues on the next target and reaches the client whole', async () => {
    await setUp(
      {
        primary: () => ({
          type: 'stream',
          events: openaiEvents(all),
          after: { events: 41, then: 'cut' },
        }),
        backup: () => ({ type: 'stream', events: openaiEvents(all.slice(40), { id: 'b' }) }),
      },
      { stream: { firstChunkMs: 300, idleMs: 300, resume: 'prefill' } },
    );
    const { res, text, header } = await streamChat([{ role: 'user', content: 'count' }]);
    expect(res.status).toBe(200);
    expect(header('x-breakwater-upstream')).toBe('primary');
    expect(textOf(text)).toBe(all.join(''));
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(text).not.toContain('"error"');
    const asked = fakes['backup']?.received[0]?.json;
    expect(asked?.['messages']).toEqual([
      { role: 'user', content: 'count' },
      { role: 'assistant', content: all.slice(0, 40).join('') },
    ]);
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 1 });
  });

  it('a target marked prefill: false is never asked; the client gets the original break', async () => {
    await setUp(
      {
        primary: () => ({
          type: 'stream',
          events: openaiEvents(all),
          after: { events: 41, then: 'stall' },
        }),
        backup: () => ({ type: 'stream', events: openaiEvents(['never']) }),
      },
      {
        targets: [{ upstream: 'primary' }, { upstream: 'backup', prefill: false }],
        stream: { firstChunkMs: 300, idleMs: 300, resume: 'prefill' },
      },
    );
    const { text } = await streamChat();
    expect(textOf(text)).toBe(all.slice(0, 40).join(''));
    expect(text.endsWith(openaiError('upstream sent nothing more within 300 ms'))).toBe(true);
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 0 });
  });

  it('a refused continuation never becomes the client’s error: it gets the original break', async () => {
    await setUp(
      {
        primary: () => ({
          type: 'stream',
          events: openaiEvents(all),
          after: { events: 41, then: 'stall' },
        }),
        backup: () => ({
          type: 'json',
          status: 400,
          body: {
            error: { message: 'assistant prefill is not supported', type: 'invalid_request_error' },
          },
        }),
      },
      { stream: { firstChunkMs: 300, idleMs: 300, resume: 'prefill' } },
    );
    const { text } = await streamChat();
    expect(text).not.toContain('prefill is not supported');
    expect(text.endsWith(openaiError('upstream sent nothing more within 300 ms'))).toBe(true);
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 1 });
  });
});
