import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { staleCache } from '../../src/core/index.js';
import { redisStaleCacheStore, type RedisStaleCacheStore } from '../../src/redis/index.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { failing, uniquePrefix } from './helpers.js';

let server: RedisServer;
let admin: Redis;
const stores: RedisStaleCacheStore[] = [];

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  admin.disconnect();
  await server.stop();
});

function sharedStore(prefix: string, maxEntries = 100): RedisStaleCacheStore {
  const store = redisStaleCacheStore({
    url: server.url,
    prefix,
    ttlMs: 60_000,
    maxEntries,
    flushMs: 10,
  });
  stores.push(store);
  return store;
}

describe('redisStaleCacheStore: replicas serve each other’s last good answers', () => {
  it('an answer one replica got is served by another whose call fails, and by a replica started later', async () => {
    const prefix = uniquePrefix();
    const [a, b] = [sharedStore(prefix), sharedStore(prefix)];
    await Promise.all([a.loaded, b.loaded]);
    const cacheA = staleCache<{ eur: number }>({ key: 'rates', ttlMs: 60_000, store: a });
    const cacheB = staleCache<{ eur: number }>({ key: 'rates', ttlMs: 60_000, store: b });
    expect(await cacheA.execute(() => Promise.resolve({ eur: 1.1 }))).toEqual({ eur: 1.1 });
    await waitFor(() => b.get('rates') !== undefined, 5_000, 'the answer to reach b');
    await expect(cacheB.execute(failing)).resolves.toEqual({ eur: 1.1 });

    const late = sharedStore(prefix);
    await late.loaded;
    const cacheLate = staleCache<{ eur: number }>({ key: 'rates', ttlMs: 60_000, store: late });
    await expect(cacheLate.execute(failing)).resolves.toEqual({ eur: 1.1 });
  });

  it('only successful calls are written; TTL and size are bounded in Redis', async () => {
    const prefix = uniquePrefix();
    const store = sharedStore(prefix, 3);
    await store.loaded;
    const cache = staleCache<string>({ key: 'per-key', ttlMs: 60_000, store });
    await cache
      .withKey('never-answered')
      .execute(failing)
      .catch(() => undefined);
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      await cache.withKey(key).execute(() => Promise.resolve(key));
      await new Promise((resolve) => setTimeout(resolve, 15)); // one flush each: distinct times
    }
    await waitFor(() => store.stats().written === 5, 5_000, 'five writes');
    const index = `${prefix}{cache}:index`;
    expect(await admin.zrange(index, '0', '-1')).toEqual(['k3', 'k4', 'k5']);
    expect(await admin.exists(`${prefix}{cache}:k1`, `${prefix}{cache}:never-answered`)).toBe(0);
    const ttl = await admin.pttl(`${prefix}{cache}:k5`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('a hot key costs one write per flush, not one per call', async () => {
    const prefix = uniquePrefix();
    const store = redisStaleCacheStore({ url: server.url, prefix, ttlMs: 60_000, flushMs: 200 });
    stores.push(store);
    await store.loaded;
    const cache = staleCache<string>({ key: 'hot', ttlMs: 60_000, store });
    for (let i = 0; i < 1_000; i++) await cache.execute(() => Promise.resolve(String(i)));
    await waitFor(() => store.stats().written >= 1, 5_000, 'the flush');
    expect(store.stats().written).toBeLessThan(10);
  });

  it('garbage on the channel and answers that are not JSON never throw', async () => {
    const prefix = uniquePrefix();
    const store = sharedStore(prefix);
    await store.loaded;
    for (const junk of ['null', '{', '{"key":1}', '[]']) {
      await admin.publish(`${prefix}{cache}:answers`, junk);
    }
    const cache = staleCache<bigint>({ key: 'big', ttlMs: 60_000, store });
    await expect(cache.execute(() => Promise.resolve(10n))).resolves.toBe(10n);
    expect(store.get('big')?.value).toBe(10n); // kept here, not shared
    await admin.ping();
    expect(store.stats().received).toBe(0);
  });
});
