import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitBreaker, consecutive } from '../../src/core/index.js';
import { redisStore, type RedisStore } from '../../src/redis/index.js';
import { startSentinel, type SentinelSetup } from '../support/redis-sentinel.js';
import { waitFor } from '../support/wait-for.js';
import { failing, uniquePrefix, type Replica } from './helpers.js';

/**
 * A real failover: a primary, a replica and redis-sentinel; every replica of the service
 * connects through Sentinel with ioredis. The primary is killed under load.
 */
let setup: SentinelSetup;
const clients: Redis[] = [];
const stores: RedisStore[] = [];

beforeAll(async () => {
  setup = await startSentinel();
}, 40_000);
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  for (const c of clients) c.disconnect();
  await setup.stop();
});

function sentinelReplica(prefix: string): Replica {
  const client = new Redis({
    sentinels: setup.sentinels,
    name: setup.name,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    sentinelRetryStrategy: (times) => Math.min(times * 50, 500),
    retryStrategy: (times) => Math.min(times * 50, 500),
  });
  client.on('error', () => undefined); // the store reports errors; the primary dies on purpose
  clients.push(client);
  const store = redisStore({ client, prefix, flushMs: 20, resyncMs: 200 });
  stores.push(store);
  const breaker = circuitBreaker({ name: 'svc', store, trip: consecutive(5), openMs: 60_000 });
  const changes: Replica['changes'] = [];
  breaker.onStateChange((c) => changes.push({ at: Date.now(), to: c.to, remote: c.remote }));
  return { store, breaker, changes };
}

describe('redisStore through Sentinel: the primary dies under load', () => {
  it('no call fails because of the store, no breaker flaps, and the fleet shares state again after promotion', async () => {
    const prefix = uniquePrefix();
    const replicas = [0, 1, 2].map(() => sentinelReplica(prefix));
    await waitFor(
      () => replicas.every((r) => r.store.status().connection === 'ready'),
      15_000,
      'every replica connected through Sentinel',
    );
    let running = true;
    let answered = 0;
    const failures: unknown[] = [];
    const load = replicas.map(async (r) => {
      while (running) {
        await r.breaker
          .execute(() => 'ok')
          .then(
            () => answered++,
            (e: unknown) => failures.push(e),
          );
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    });
    await waitFor(() => answered > 100, 10_000, 'load before the failover');
    const { old, promoted } = await setup.killPrimary();
    expect(promoted).not.toBe(old);
    await waitFor(
      () => replicas.every((r) => r.store.status().connection === 'ready'),
      30_000,
      'every replica ready on the promoted primary',
    );
    const afterPromotion = answered;
    await waitFor(() => answered > afterPromotion + 100, 10_000, 'load after the failover');
    running = false;
    await Promise.all(load);
    expect(failures).toEqual([]);
    expect(replicas.map((r) => r.changes)).toEqual([[], [], []]); // no flap

    // Shared again: a trip on one replica reaches the others through the promoted primary.
    for (let i = 0; i < 5; i++) await replicas[0]!.breaker.execute(failing).catch(() => undefined);
    await waitFor(
      () => replicas.every((r) => r.breaker.state === 'open'),
      10_000,
      'the fleet open',
    );
    const direct = new Redis({ port: promoted, host: '127.0.0.1' });
    const stored = await direct.hget(`${prefix}{svc}:state`, 'snapshot');
    direct.disconnect();
    expect(JSON.parse(stored!)).toMatchObject({ state: 'open' });
  });
});
