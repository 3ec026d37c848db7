import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  classify,
  constant,
  consecutive,
  createClassifier,
  retry,
} from '../../src/core/index.js';
import { failureOf } from './suite.js';

const strict = createClassifier({ unknown: 'permanent' });

/** A TCP server that accepts connections and never answers a command. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

async function freePort(): Promise<number> {
  const { server, port } = await silentServer();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * ioredis's own errors: `MaxRetriesPerRequestError` inherits from a class named AbortError
 * but is no caller's abort (ioredis gave up on a command while reconnecting), and a command
 * timeout is a plain Error. Both pass with time.
 */
describe('ioredis: its real errors through breakwater', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  const clients: Redis[] = [];
  const client = (port: number, options: Pick<RedisOptions, 'commandTimeout'> = {}): Redis => {
    const made = new Redis(port, '127.0.0.1', {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 20,
      lazyConnect: false,
      ...options,
    });
    made.on('error', () => undefined);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    silent = await silentServer();
  });
  afterAll(async () => {
    for (const made of clients) made.disconnect();
    for (const socket of silent.sockets) socket.destroy();
    await new Promise((resolve) => silent.server.close(resolve));
  });

  it('a refused server gives MaxRetriesPerRequestError: transient by its own class, retried', async () => {
    const redis = client(await freePort());
    let calls = 0;
    const error = await failureOf(
      retry({ maxAttempts: 2, backoff: constant(1) }).execute(() => {
        calls++;
        return redis.get('key');
      }),
    );
    expect((error as Error).constructor.name).toBe('MaxRetriesPerRequestError');
    const parent = Object.getPrototypeOf(Object.getPrototypeOf(error)) as {
      constructor: { name: string };
    };
    expect(parent.constructor.name).toBe('AbortError');
    expect(calls).toBe(2);
    expect(classify(error)).toBe('transient');
    expect(strict.classify(error)).toBe('transient');
    // And it counts against the service.
    const breaker = circuitBreaker({ trip: consecutive(2) });
    await failureOf(breaker.execute(() => redis.get('key')));
    await failureOf(breaker.execute(() => redis.get('key')));
    expect(breaker.state).toBe('open');
  });

  it('its command timeout is transient and retried', async () => {
    const redis = client(silent.port, { commandTimeout: 50 });
    let calls = 0;
    const error = await failureOf(
      retry({ maxAttempts: 2, backoff: constant(1) }).execute(() => {
        calls++;
        return redis.get('key');
      }),
    );
    expect((error as Error).message).toMatch(/timed out/i);
    expect(calls).toBe(2);
    expect(classify(error)).toBe('transient');
  });
});
