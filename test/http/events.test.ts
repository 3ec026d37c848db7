import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createResilience, type Resilience } from '../../src/core/index.js';
import { httpHandler, type HttpHandler, type HttpHandlerOptions } from '../../src/http/index.js';
import { heapAfterGc } from '../support/gc.js';
import { serve, type RunningServer } from '../support/http-server.js';
import { openEventStream, type SseClient } from '../support/sse-client.js';
import { waitFor } from '../support/wait-for.js';

let server: RunningServer | undefined;
let handler: HttpHandler | undefined;
const clients: SseClient[] = [];

async function start(resilience: Resilience, options: HttpHandlerOptions = {}) {
  handler = httpHandler(resilience, options);
  const h = handler;
  server = await serve((req, res) => h(req, res));
  return server;
}

async function open(url: string): Promise<SseClient> {
  const client = await openEventStream(url);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  handler?.close();
  await server?.close();
  server = handler = undefined;
  vi.useRealTimers();
});

const ofKind = (client: SseClient, kind: string) =>
  client.events.filter((e) => e.event === kind).map((e) => JSON.parse(e.data) as unknown);

describe('GET /events', () => {
  it('says hello, then pushes transitions at once and a summary per operation every second', async () => {
    const resilience = createResilience();
    await resilience.execute('pay', () => 'ok');
    const { url } = await start(resilience);
    const client = await open(`${url}/events`);
    expect(client.response.headers['content-type']).toMatch(/^text\/event-stream/);
    await waitFor(() => ofKind(client, 'hello').length === 1, 5_000, 'hello');
    expect(ofKind(client, 'hello')[0]).toMatchObject({
      operations: [{ operation: 'pay', state: 'closed' }],
      transitions: [],
    });
    resilience.command('pay', 'isolate');
    await waitFor(() => ofKind(client, 'state').length === 1, 5_000, 'a state event');
    expect(ofKind(client, 'state')[0]).toMatchObject({
      operation: 'pay',
      from: 'closed',
      to: 'isolated',
    });
    for (let i = 0; i < 10; i++) await resilience.execute('pay', () => 'ok').catch(() => undefined);
    await waitFor(() => ofKind(client, 'summary').length >= 2, 5_000, 'two summaries');
    const [summary] = ofKind(client, 'summary').slice(-1) as {
      operations: { operation: string; state: string; totalCalls: number }[];
    }[];
    expect(summary?.operations).toEqual([
      expect.objectContaining({ operation: 'pay', state: 'isolated', totalCalls: 11 }),
    ]);
    resilience.updateConfig({ operations: { pay: { timeout: { ms: 1_000 } } } });
    await waitFor(() => ofKind(client, 'config').length === 1, 5_000, 'a config event');
  });

  it('sends a heartbeat comment every 15 seconds (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'], shouldAdvanceTime: true });
    const { url } = await start(createResilience());
    const client = await open(`${url}/events`);
    await waitFor(() => client.text.includes('event: hello'), 5_000, 'hello');
    expect(client.text).not.toContain(': heartbeat');
    vi.advanceTimersByTime(15_000);
    await waitFor(() => client.text.includes(': heartbeat'), 5_000, 'a heartbeat');
  });

  it('refuses clients beyond maxEventClients with 503', async () => {
    const { url } = await start(createResilience(), { maxEventClients: 2 });
    await open(`${url}/events`);
    await open(`${url}/events`);
    const third = await open(`${url}/events`);
    expect(third.response.statusCode).toBe(503);
    expect(third.response.headers['retry-after']).toBe('5');
  });

  it('drops a client that stops reading once its unread bytes pass the bound', async () => {
    const resilience = createResilience();
    // Long names make every transition event large, so the stalled client falls behind fast.
    const name = `op-${'x'.repeat(8_000)}`;
    await resilience.execute(name, () => 'ok');
    const running = await start(resilience, { maxBufferedBytes: 64 * 1024 });
    const reader = await open(`${running.url}/events`);
    const port = Number(new URL(running.url).port);
    const stalled = connect(port, '127.0.0.1');
    stalled.on('error', () => undefined);
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    stalled.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    stalled.pause();
    let closed = false;
    stalled.once('close', () => (closed = true));
    await waitFor(() => reader.text.includes('event: hello'), 5_000, 'hello');
    // Events keep coming until the server lets the stalled client go (bounded: 200 rounds).
    for (let round = 0; round < 200 && !closed; round++) {
      for (let i = 0; i < 20; i++) {
        resilience.command(name, 'isolate');
        resilience.command(name, 'reset');
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      stalled.resume();
      stalled.pause();
    }
    stalled.resume();
    await waitFor(() => closed, 10_000, 'the stalled client to be dropped');
    // The reading client stays connected and keeps getting events.
    const before = reader.events.length;
    resilience.command(name, 'isolate');
    await waitFor(() => reader.events.length > before, 5_000, 'the reader to get more');
    expect(reader.response.destroyed).toBe(false);
  });

  it('100 clients connected while 10,000 calls run: every call answers, memory stays bounded', async () => {
    const resilience = createResilience({
      config: { operations: { flaky: { retry: false }, steady: { retry: false } } },
    });
    await resilience.execute('flaky', () => 'ok');
    const { url } = await start(resilience);
    const heapBefore = heapAfterGc();
    const streams = await Promise.all(Array.from({ length: 100 }, () => open(`${url}/events`)));
    await waitFor(() => streams.every((s) => s.text.includes('event: hello')), 10_000, 'hellos');
    let answered = 0;
    for (let i = 0; i < 10_000; i++) {
      await resilience.execute('steady', () => i);
      answered++;
      if (i % 500 === 0) resilience.command('flaky', i % 1_000 === 0 ? 'isolate' : 'reset');
      if (i % 1_000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(answered).toBe(10_000);
    expect(resilience.metrics('steady')).toMatchObject({
      totalCalls: 10_000,
      successfulCalls: 10_000,
    });
    await waitFor(
      () => streams.every((s) => s.events.filter((e) => e.event === 'state').length === 20),
      10_000,
      'every client to get every transition',
    );
    const grownMb = (heapAfterGc() - heapBefore) / 2 ** 20;
    expect(grownMb).toBeLessThan(64);
  });
});
