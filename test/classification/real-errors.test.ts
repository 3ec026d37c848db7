import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify, retryAfterMs } from '../../src/core/classification/index.js';

/** Errors as Node's own fetch (undici) really throws them, against servers on 127.0.0.1. */
describe("classification of Node fetch's real errors", () => {
  let server: Server;
  let base: string;
  const sockets = new Set<import('node:net').Socket>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers; the test aborts
      res.writeHead(429, { 'retry-after': '2' }).end('slow down');
    });
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a refused connection is transient (TypeError "fetch failed", cause ECONNREFUSED)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await fetch(`http://127.0.0.1:${port}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(classify(error)).toBe('transient');
  });

  it('a 429 Response is transient and its Retry-After is read', async () => {
    const response = await fetch(`${base}/limited`);
    await response.arrayBuffer();
    expect(classify(response)).toBe('transient');
    expect(retryAfterMs(response)).toBe(2000);
  });

  it("AbortSignal.timeout() is transient, the caller's abort permanent", async () => {
    const timedOut = await fetch(`${base}/hang`, { signal: AbortSignal.timeout(20) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(classify(timedOut)).toBe('transient');
    const controller = new AbortController();
    const pending = fetch(`${base}/hang`, { signal: controller.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    controller.abort();
    expect(classify(await pending)).toBe('permanent');
  });
});
