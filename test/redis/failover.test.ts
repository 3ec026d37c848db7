import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  circuitBreaker,
  consecutive,
  createResilience,
  type CircuitBreakerOptions,
} from '../../src/core/index.js';
import { redisStore, type RedisStore, type RedisStoreOptions } from '../../src/redis/index.js';
import { startSentinel, type SentinelSetup } from '../support/redis-sentinel.js';
import { waitFor } from '../support/wait-for.js';
import {
  failing,
  openTimePassed,
  scrapedStoreMetrics,
  uniquePrefix,
  type Replica,
} from './helpers.js';

/**
 * A real failover: a primary, a replica and redis-sentinel; every replica of the service
 * connects through Sentinel with ioredis. The primary is killed under load; then, in a setup
 * of its own, while a killed primary waits to be replaced, under each `onStoreUnavailable`.
 */
let setup: SentinelSetup;
const clients: Redis[] = [];
const stores: RedisStore[] = [];

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  for (const c of clients) c.disconnect();
});

function sentinelReplica(
  prefix: string,
  storeOptions: Omit<RedisStoreOptions, 'client' | 'url' | 'prefix'> = {},
  breakerOptions: Omit<CircuitBreakerOptions, 'store'> = { trip: consecutive(5), openMs: 60_000 },
): Replica {
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
  const store = redisStore({ client, prefix, flushMs: 20, resyncMs: 200, ...storeOptions });
  stores.push(store);
  const breaker = circuitBreaker({ name: 'svc', ...breakerOptions, store });
  const changes: Replica['changes'] = [];
  breaker.onStateChange((c) => changes.push({ at: Date.now(), to: c.to, remote: c.remote }));
  return { store, breaker, changes };
}

describe('redisStore through Sentinel: the primary dies under load', () => {
  beforeAll(async () => {
    setup = await startSentinel();
  }, 40_000);
  afterAll(async () => {
    await setup.stop();
  });

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

describe("redisStore through Sentinel: 'local' and 'strict' while the primary is down", () => {
  // Sentinel waits 3 s before it calls the primary down: the window this test works in.
  beforeAll(async () => {
    setup = await startSentinel(3_000);
  }, 40_000);
  afterAll(async () => {
    await setup.stop();
  });

  it("'local' probes alone and 'strict' refuses, each counted, unreachable in health and store_up 0; after promotion both share again", async () => {
    const sides = (['local', 'strict'] as const).map((policy) => {
      const r = sentinelReplica(
        uniquePrefix(),
        { onStoreUnavailable: policy },
        { trip: consecutive(1), openMs: 100 },
      );
      const resilience = createResilience({ store: r.store });
      const metrics = scrapedStoreMetrics(resilience);
      return { policy, r, resilience, metrics };
    });
    const [local, strict] = sides as [(typeof sides)[0], (typeof sides)[0]];
    await waitFor(
      () => sides.every((s) => s.r.store.status().connection === 'ready'),
      15_000,
      'both connected through Sentinel',
    );
    for (const side of sides) {
      expect(await side.metrics.storeUp()).toBe(1);
      await side.r.breaker.execute(failing).catch(() => undefined);
      await side.r.store.sync();
      const openUntil = side.r.breaker.toJSON().openUntil!;
      await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');
    }

    const failover = setup.killPrimary();
    failover.catch(() => undefined); // awaited below; a failure before that is the test's own
    await waitFor(
      () => sides.every((s) => s.r.store.status().connection === 'unreachable'),
      5_000,
      'both to lose the primary',
    );
    const old = await setup.primaryPort();
    for (const side of sides) {
      expect(side.resilience.healthStatus().store).toMatchObject({
        connection: 'unreachable',
        onStoreUnavailable: side.policy,
      });
      expect(await side.metrics.storeUp()).toBe(0);
    }
    // 'local': the half-open probe runs on the replica's own slot.
    await expect(local.r.breaker.execute(() => 'local')).resolves.toBe('local');
    expect(local.resilience.healthStatus().store).toMatchObject({
      localProbes: 1,
      refusedProbes: 0,
    });
    expect(await local.metrics.unshared('local')).toBe(1);
    expect(await local.metrics.unshared('refused')).toBe(0);
    expect(local.r.breaker.state).toBe('closed');
    // 'strict': no fleet-wide slot can be claimed, so the probe does not run.
    let ran = false;
    const refused = await strict.r.breaker
      .execute(() => {
        ran = true;
        return 'probed';
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(ran).toBe(false);
    expect(strict.resilience.healthStatus().store).toMatchObject({
      localProbes: 0,
      refusedProbes: 1,
    });
    expect(await strict.metrics.unshared('refused')).toBe(1);
    expect(await strict.metrics.unshared('local')).toBe(0);
    // All of that happened before the promotion.
    expect(await setup.primaryPort()).toBe(old);

    const { promoted } = await failover;
    expect(promoted).not.toBe(old);
    await waitFor(
      () => sides.every((s) => s.r.store.status().connection === 'ready'),
      30_000,
      'both ready on the promoted primary',
    );
    for (const side of sides) {
      expect(side.resilience.healthStatus().store).toMatchObject({ connection: 'ready' });
      expect(await side.metrics.storeUp()).toBe(1);
      side.metrics.close();
    }
    // The strict replica's probe now claims its fleet-wide slot on the promoted primary.
    await expect(strict.r.breaker.execute(() => 'probed')).resolves.toBe('probed');
    expect(strict.r.breaker.state).toBe('closed');
    expect(strict.r.store.status().refusedProbes).toBe(1);
  });
});
