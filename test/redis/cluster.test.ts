import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  circuitBreaker,
  consecutive,
  createResilience,
  type CircuitBreakerOptions,
} from '../../src/core/index.js';
import { redisStore, type RedisStoreOptions } from '../../src/redis/index.js';
import { clusterBackend } from '../support/redis-backends.js';
import type { RedisCluster } from '../support/redis-cluster.js';
import { waitFor } from '../support/wait-for.js';
import {
  failing,
  openTimePassed,
  scrapedStoreMetrics,
  uniquePrefix,
  type Replica,
} from './helpers.js';
import { lifecycleSuite } from './suites/lifecycle.js';
import { sharedStoreSuite } from './suites/shared-store.js';
import { staleCacheSuite } from './suites/stale-cache.js';

/**
 * The store against a real 3-master Redis Cluster, each replica with its own ioredis
 * `Cluster` client: the store's whole suite and the shared stale cache's (the same cases as
 * on one redis-server), then
 * what only a cluster has: a slot moved mid-run, and a cluster in `cluster_state:fail` under
 * both `onStoreUnavailable` policies. One cluster for the file.
 */
let backend: Awaited<ReturnType<typeof clusterBackend>>;
let cluster: RedisCluster;
const stores: Replica['store'][] = [];

beforeAll(async () => {
  backend = await clusterBackend();
  cluster = backend.cluster;
}, 40_000);
afterAll(async () => {
  await backend.stop();
});

sharedStoreSuite('a 3-master Redis Cluster', () => backend);
lifecycleSuite('a 3-master Redis Cluster', () => backend);
staleCacheSuite('a 3-master Redis Cluster', () => backend);

async function clusterFleet(
  count: number,
  storeOptions: Omit<RedisStoreOptions, 'client' | 'url'>,
  breakerOptions: Omit<CircuitBreakerOptions, 'store'>,
): Promise<Replica[]> {
  const replicas = Array.from({ length: count }, (): Replica => {
    const store = redisStore({ ...backend.connection(), ...storeOptions });
    stores.push(store);
    const breaker = circuitBreaker({ name: 'svc', ...breakerOptions, store });
    const changes: Replica['changes'] = [];
    breaker.onStateChange((c) => changes.push({ at: Date.now(), to: c.to, remote: c.remote }));
    return { store, breaker, changes };
  });
  await waitFor(
    () => replicas.every((r) => r.store.status().connection === 'ready'),
    15_000,
    'every replica connected to the cluster',
  );
  return replicas;
}

const allIn = (replicas: readonly Replica[], state: string) => () =>
  replicas.every((r) => r.breaker.state === state);

const keySlot = async (prefix: string): Promise<number> =>
  Number(await cluster.nodes[0]!.admin.cluster('KEYSLOT', `${prefix}{svc}:state`));

describe('redisStore on a real Redis Cluster: what only a cluster has', () => {
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await backend.releaseClients();
  });

  it('a probe refused because the cluster holds a newer closed state runs the call (issue 18)', async () => {
    const prefix = uniquePrefix();
    const replicas = await clusterFleet(
      1,
      { prefix, flushMs: 20 },
      { trip: consecutive(1), openMs: 100 },
    );
    const { breaker } = replicas[0]!;
    await breaker.execute(failing).catch(() => undefined);
    await replicas[0]!.store.sync();
    const opened = breaker.toJSON();
    await waitFor(openTimePassed(opened.openUntil!, 5), 5_000, 'the open time to pass');
    // Another replica's probes closed it; this one has not heard yet (no message published).
    const closed = { ...opened, state: 'closed', version: opened.version + 2, openUntil: null };
    await backend.admin.hset(`${prefix}{svc}:state`, 'snapshot', JSON.stringify(closed));
    await expect(breaker.execute(() => 'answered')).resolves.toBe('answered');
    expect(breaker.state).toBe('closed');
  });

  it("moves the breaker's slot to another master mid-run: no call fails, no state is lost", async () => {
    const prefix = uniquePrefix();
    const replicas = await clusterFleet(
      3,
      { prefix, flushMs: 10, resyncMs: 50 },
      { trip: consecutive(1_000_000), openMs: 60_000 },
    );
    const slot = await keySlot(prefix);
    const source = cluster.owner(slot);
    const target = cluster.nodes.find((n) => n !== source)!;
    // Some state to keep: 3 shared consecutive failures.
    for (const r of replicas) await r.breaker.execute(failing).catch(() => undefined);
    await waitFor(
      async () => (await backend.admin.hget(`${prefix}{svc}:state`, 'consecutive')) === '3',
      5_000,
      'three shared failures',
    );
    let running = true;
    let answered = 0;
    const unexpected: unknown[] = [];
    const load = replicas.map(async (r) => {
      while (running) {
        // Failures only: the shared count keeps growing, so lost state would show.
        await r.breaker.execute(failing).catch((e: unknown) => {
          if ((e as Error).message === 'upstream down') answered++;
          else unexpected.push(e);
        });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    });
    await waitFor(() => answered > 30, 5_000, 'load before the move');
    await cluster.moveSlot(slot, target);
    expect(cluster.owner(slot)).toBe(target);
    const afterMove = answered;
    await waitFor(() => answered > afterMove + 30, 5_000, 'load after the move');
    running = false;
    await Promise.all(load);
    expect(unexpected).toEqual([]);
    for (const r of replicas) expect(r.store.status().connection).toBe('ready');
    // Every failure was merged into the same shared count, on its new master.
    const shared = async () =>
      Number(await target.admin.hget(`${prefix}{svc}:state`, 'consecutive').catch(() => -1));
    await waitFor(
      async () => (await shared()) === answered + 3,
      5_000,
      `every failure in the shared count on the new master (${answered + 3})`,
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; shared count ${await shared()}`);
    });
    replicas[0]!.breaker.isolate();
    await waitFor(allIn(replicas, 'isolated'), 5_000, 'a transition through the new master');
  });

  // Last: it takes a master down, then brings it back.
  it("cluster_state:fail: unreachable in health and store_up 0; 'local' probes alone, 'strict' refuses; both ready again after", async () => {
    const sides = await Promise.all(
      (['local', 'strict'] as const).map(async (policy) => {
        const prefix = uniquePrefix();
        const [r] = (await clusterFleet(
          1,
          { prefix, flushMs: 20, commandTimeoutMs: 1_000, onStoreUnavailable: policy },
          { trip: consecutive(1), openMs: 50 },
        )) as [Replica];
        const resilience = createResilience({ store: r.store });
        const metrics = scrapedStoreMetrics(resilience);
        return { policy, prefix, r, resilience, metrics };
      }),
    );
    const [local, strict] = sides as [(typeof sides)[0], (typeof sides)[0]];
    for (const side of sides) expect(await side.metrics.storeUp()).toBe(1);
    // Kill a master that serves neither breaker: the cluster fails as a whole.
    const owners = await Promise.all(
      sides.map(async (s) => cluster.owner(await keySlot(s.prefix))),
    );
    const victim = cluster.nodes.find((n) => !owners.includes(n))!;
    await cluster.kill(victim);
    await waitFor(
      async () => String(await owners[0]!.admin.cluster('INFO')).includes('cluster_state:fail'),
      15_000,
      'cluster_state:fail',
      50,
    );
    // Calls keep answering (decided locally); the commands' failures show in health.
    for (const { r } of sides) {
      for (let i = 0; i < 20 && r.store.status().connection === 'ready'; i++) {
        await r.breaker.execute(failing).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 60));
        await r.breaker.execute(() => 'ok').catch(() => undefined);
      }
      await waitFor(() => r.store.status().connection === 'unreachable', 10_000, 'unreachable');
    }
    for (const side of sides) {
      expect(side.resilience.healthStatus().store).toMatchObject({
        connection: 'unreachable',
        onStoreUnavailable: side.policy,
        lastError: expect.stringMatching(/CLUSTERDOWN|redirections|no answer|fail/i) as unknown,
      });
      expect(side.resilience.healthStatus().healthy).toBe(true);
      expect(await side.metrics.storeUp()).toBe(0);
      // Into half-open: a trip (if the last call closed it), then the 50 ms open time.
      await side.r.breaker.execute(failing).catch(() => undefined);
      const openUntil = side.r.breaker.toJSON().openUntil ?? 0;
      await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');
    }

    // 'local': the probe runs at once on the local slot (no claim waits out commandTimeoutMs).
    const localBefore = local.r.store.status().localProbes;
    await expect(local.r.breaker.execute(() => 'local')).resolves.toBe('local');
    expect(local.resilience.healthStatus().store).toMatchObject({
      localProbes: localBefore + 1,
      refusedProbes: 0,
    });
    expect(await local.metrics.unshared('local')).toBe(localBefore + 1);
    expect(await local.metrics.unshared('refused')).toBe(0);
    expect(local.r.breaker.state).toBe('closed');
    // 'strict': no fleet-wide slot can be claimed, so no probe runs; the breaker stays open.
    const refusedBefore = strict.r.store.status().refusedProbes;
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
      refusedProbes: refusedBefore + 1,
      localProbes: 0,
    });
    expect(await strict.metrics.unshared('refused')).toBe(refusedBefore + 1);
    expect(await strict.metrics.unshared('local')).toBe(0);
    expect(strict.r.breaker.state).not.toBe('closed');

    await cluster.revive(victim);
    for (const side of sides) {
      await waitFor(() => side.r.store.status().connection === 'ready', 20_000, 'ready again');
      expect(side.resilience.healthStatus().store).toMatchObject({ connection: 'ready' });
      expect(await side.metrics.storeUp()).toBe(1);
      side.metrics.close();
    }
    // With the cluster back, the strict replica's probe claims a fleet-wide slot and runs.
    await expect(strict.r.breaker.execute(() => 'probed')).resolves.toBe('probed');
    expect(strict.r.breaker.state).toBe('closed');
  });
});
