import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type GatewayConfig } from '../../src/gateway/index.js';
import { fakeUpstream, type FakeUpstream } from '../support/fake-llm.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { startServe, type ServeProcess } from './serve-process.js';

const PREFIX = 'gw-stale:';
const TTL_MS = 60_000;

let redis: RedisServer;
let client: Redis;
let dir: string;
let upstream: FakeUpstream;
let up = true;
const processes: ServeProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { lazyConnect: true });
  await client.connect();
  dir = mkdtempSync(join(tmpdir(), 'bw-gw-stale-'));
  upstream = await fakeUpstream((request) =>
    up
      ? {
          type: 'json',
          body: { path: request.url, answer: `fresh ${request.url}` },
          headers: { 'x-served-by': 'upstream' },
        }
      : { type: 'json', status: 500, body: { error: { message: 'down' } } },
  );
});

afterAll(async () => {
  for (const child of processes) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  }
  client.disconnect();
  await upstream.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(): string {
  return JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    store: { redis: { url: '${REDIS_URL}', prefix: PREFIX } },
    upstreams: {
      api: {
        url: upstream.url,
        circuitBreaker: { trip: { kind: 'consecutive', threshold: 50 }, openMs: 60_000 },
      },
    },
    routes: [
      {
        name: 'api',
        match: { method: 'GET', path: '/api/' },
        targets: [{ upstream: 'api' }],
        retry: { maxAttempts: 1 },
        staleCache: { ttlMs: TTL_MS, maxEntries: 3 },
      },
    ],
  });
}

const spawnGateway = async (file: string): Promise<ServeProcess> => {
  const child = await startServe(file, { REDIS_URL: redis.url });
  processes.push(child);
  return child;
};

async function get(gateway: ServeProcess, path: string) {
  const res = await fetch(`${gateway.url}${path}`);
  return { res, text: await res.text(), header: (name: string) => res.headers.get(name) };
}

describe('stale answers shared through redis-server by two breakwater serve processes', () => {
  it('B serves what A learnt, a new process loads it, only good answers are shared, bounded and with a TTL', async () => {
    const file = join(dir, 'gateway.json');
    writeFileSync(file, config());
    const a = await spawnGateway(file);
    const b = await spawnGateway(file);

    up = true;
    const fresh = await get(a, '/api/one');
    expect(fresh.res.status).toBe(200);
    expect(fresh.header('x-breakwater-fallback')).toBeNull();

    up = false;
    // B never asked for /api/one while the upstream was up; it answers with A's answer.
    await waitFor(
      async () => (await get(b, '/api/one')).header('x-breakwater-fallback') === 'cache',
      10_000,
      'B to serve the answer A stored',
    );
    const stale = await get(b, '/api/one');
    expect(stale.res.status).toBe(200);
    expect(stale.text).toBe(fresh.text);
    expect(stale.header('x-served-by')).toBe('upstream');
    expect(stale.header('content-type')).toBe('application/json');
    expect(stale.header('x-breakwater-upstream')).toBe('none');

    // An error answer is never shared: a path asked only while the upstream fails has none.
    const failed = await get(a, '/api/never-good');
    expect(failed.res.status).toBe(500);
    expect((await get(b, '/api/never-good')).res.status).toBe(500);

    // A process started now (SIGKILL one first: nothing is flushed at exit) loads the fleet's answers.
    a.process.kill('SIGKILL');
    await a.exited;
    // Waited for: a process serves after at most 3 s even if Redis is slower to answer (a
    // loaded machine), and loads the answers when they come.
    const c = await spawnGateway(file);
    let loaded = await get(c, '/api/one');
    await waitFor(
      async () => (loaded = await get(c, '/api/one')).header('x-breakwater-fallback') === 'cache',
      10_000,
      'the new process to load the fleet’s answers',
    );
    expect(loaded.text).toBe(fresh.text);

    // Bounded: with maxEntries 3, Redis keeps the newest three answers, each with the TTL.
    up = true;
    for (const path of ['/api/two', '/api/three', '/api/four', '/api/five']) {
      expect((await get(b, path)).res.status).toBe(200);
    }
    const index = `${PREFIX}cache:api:{cache}:index`;
    await waitFor(
      async () => {
        const members = await client.zrange(index, '0', '-1');
        return members.length === 3 && members.some((member) => member.includes('/api/five'));
      },
      10_000,
      'Redis to trim the answers to three',
    );
    const keys = (await client.keys(`${PREFIX}cache:api:*`)).filter((key) => key !== index);
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(TTL_MS);
    }
    // The oldest (/api/one) went first: nobody serves it stale any more once it is gone.
    up = false;
    const d = await spawnGateway(file);
    await waitFor(
      async () => (await get(d, '/api/five')).header('x-breakwater-fallback') === 'cache',
      10_000,
      'the new process to load the fleet’s answers',
    );
    expect((await get(d, '/api/one')).res.status).toBe(500);

    for (const child of [b, c, d]) child.process.kill('SIGTERM');
    expect(await Promise.all([b.exited, c.exited, d.exited])).toEqual([0, 0, 0]);
  });

  it('a reload that changes a route’s cache closes the old store’s connections; close() leaves none', async () => {
    const clients = async (): Promise<number> =>
      String(await client.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => line.trim() !== '').length;
    const baseline = await clients();
    const configWith = (ttlMs: number): GatewayConfig => ({
      listen: { port: 0 },
      store: { redis: { url: redis.url, prefix: 'gw-reload:' } },
      upstreams: { api: { url: upstream.url } },
      routes: [
        {
          name: 'api',
          match: { method: 'GET', path: '/api/' },
          targets: [{ upstream: 'api' }],
          staleCache: { ttlMs },
        },
      ],
    });
    const gateway = createGateway(configWith(60_000), { env: {} });
    const { url } = await gateway.listen();
    up = true;
    expect((await fetch(`${url}/api/reload`)).status).toBe(200);
    const serving = await clients();
    expect(serving).toBeGreaterThan(baseline);

    gateway.reload(configWith(30_000));
    up = false;
    await waitFor(async () => (await clients()) === serving, 10_000, 'the old store to close');
    // The new store loaded the answer the old one wrote.
    await waitFor(
      async () =>
        (await fetch(`${url}/api/reload`)).headers.get('x-breakwater-fallback') === 'cache',
      10_000,
      'the new store to serve the stored answer',
    );

    await gateway.close({ graceMs: 500 });
    await waitFor(async () => (await clients()) === baseline, 10_000, 'every connection to close');
  });
});
