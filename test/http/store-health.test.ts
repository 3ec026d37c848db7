import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createResilience, memoryStore, type CircuitStore } from '../../src/core/index.js';
import { httpHandler, type HttpHandler } from '../../src/http/index.js';
import { expressHandler } from '../../src/http/express.js';
import { serve, type RunningServer } from '../support/http-server.js';

const TOKEN = 'correct-horse-battery-staple';
const running: { server: RunningServer; handler: { close(): void } }[] = [];

afterEach(async () => {
  for (const { server, handler } of running.splice(0)) {
    handler.close();
    await server.close();
  }
});

async function start(handler: HttpHandler): Promise<string> {
  const server = await serve((req, res) => handler(req, res));
  running.push({ server, handler });
  return server.url;
}

describe('health of the store, HEAD, and bodies parsed by the framework', () => {
  it('shows the store connection as a check: warn while it is not ready', async () => {
    let connection = 'ready';
    const memory = memoryStore();
    // A memory store that reports a connection, as a shared store (Redis) does.
    const store: CircuitStore = {
      attach: (circuit) => memory.attach(circuit),
      close: () => memory.close(),
      status: () => ({
        connection,
        ...(connection === 'ready' ? {} : { lastError: 'ECONNREFUSED' }),
      }),
    };
    const resilience = createResilience({ store });
    await resilience.execute('pay', () => 'ok');
    const url = await start(httpHandler(resilience));
    const read = async () =>
      (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
    expect(await read()).toMatchObject({
      status: 'pass',
      checks: { 'store:connection': [{ status: 'pass', observedValue: 'ready' }] },
    });
    connection = 'reconnecting';
    expect(await read()).toMatchObject({
      status: 'warn',
      healthy: true,
      checks: {
        'circuit:pay': [{ status: 'pass' }],
        'store:connection': [
          { status: 'warn', observedValue: 'reconnecting', output: 'ECONNREFUSED' },
        ],
      },
    });
  });

  it('answers HEAD on the read routes with headers and no body', async () => {
    const resilience = createResilience();
    await resilience.execute('pay', () => 'ok');
    const url = await start(httpHandler(resilience));
    const response = await fetch(`${url}/circuits/pay`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await response.text()).toBe('');
  });

  it('takes a body that express.json() already parsed', async () => {
    const resilience = createResilience();
    await resilience.execute('pay', () => 'ok');
    const app = express();
    app.use(express.json());
    const handler = expressHandler(resilience, { token: TOKEN });
    app.use(handler);
    const server = await serve(app);
    running.push({ server, handler });
    const response = await fetch(`${server.url}/circuits/pay/disable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlMs: 60_000 }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { state: string; revertsAt?: string };
    expect(body.state).toBe('disabled');
    expect(typeof body.revertsAt).toBe('string');
    // Mounted at the root, the routes it does not know go on to Express (its own 404 here).
    const other = await fetch(`${server.url}/not-ours`);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
