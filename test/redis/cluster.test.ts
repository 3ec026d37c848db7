import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  consecutive,
  failureRate,
  type CircuitBreakerOptions,
} from '../../src/core/index.js';
import { redisStore, type RedisStoreOptions } from '../../src/redis/index.js';
import { startCluster, type RedisCluster } from '../support/redis-cluster.js';
import { waitFor } from '../support/wait-for.js';
import { failing, uniquePrefix, type Replica } from './helpers.js';

/**
 * The store against a real 3-master Redis Cluster, each replica with its own ioredis
 * `Cluster` client: hash tags keep a breaker in one slot, pub/sub crosses nodes, a slot
 * moves mid-run, and a cluster that fails is reported as it is.
 */
let cluster: RedisCluster;
let admin: Cluster;
const clients: Cluster[] = [];
const stores: Replica['store'][] = [];

const newClient = (): Cluster => {
  const client = new Cluster(cluster.startup, {
    redisOptions: { maxRetriesPerRequest: 1 },
    clusterRetryStrategy: (times) => Math.min(times * 50, 500),
  });
  client.on('error', () => undefined); // the store reports errors; a node dies on purpose below
  clients.push(client);
  return client;
};

beforeAll(async () => {
  cluster = await startCluster(3);
  admin = newClient();
}, 40_000);
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  await cluster.stop();
});

async function clusterFleet(
  count: number,
  storeOptions: Omit<RedisStoreOptions, 'client' | 'url'>,
  breakerOptions: Omit<CircuitBreakerOptions, 'store'>,
): Promise<Replica[]> {
  const replicas = Array.from({ length: count }, (): Replica => {
    const store = redisStore({ client: newClient(), ...storeOptions });
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

describe('redisStore on a real Redis Cluster (3 masters, ioredis Cluster)', () => {
  it('a trip on one replica reaches the others; failures spread over the fleet trip it', async () => {
    const replicas = await clusterFleet(
      3,
      { prefix: uniquePrefix(), flushMs: 20 },
      { trip: consecutive(3), openMs: 60_000 },
    );
    for (const r of replicas) await r.breaker.execute(failing).catch(() => undefined);
    await waitFor(allIn(replicas, 'open'), 5_000, 'the merged window to trip');
    for (const r of replicas) expect(r.breaker.toJSON()).toMatchObject({ version: 1, opens: 1 });
  });

  it('merges failure-rate windows by count and by time', async () => {
    for (const window of [
      { kind: 'count', size: 20 },
      { kind: 'time', ms: 10_000 },
    ] as const) {
      const replicas = await clusterFleet(
        3,
        { prefix: uniquePrefix(), flushMs: 20 },
        { trip: failureRate({ threshold: 0.5, minimumCalls: 6, window }), openMs: 60_000 },
      );
      for (const r of replicas) {
        await r.breaker.execute(() => 'ok');
        await r.breaker.execute(failing).catch(() => undefined);
      }
      await waitFor(allIn(replicas, 'open'), 5_000, `the ${window.kind} window to trip`);
    }
  });

  it('3 replicas × 50 concurrent callers in half-open: exactly maxCalls probes, then the fleet closes', async () => {
    const maxCalls = 2;
    const replicas = await clusterFleet(
      3,
      { prefix: uniquePrefix(), flushMs: 20 },
      { trip: consecutive(1), openMs: 300, halfOpen: { maxCalls, successesToClose: 2 } },
    );
    await replicas[0]!.breaker.execute(failing).catch(() => undefined);
    await waitFor(allIn(replicas, 'open'), 5_000, 'the fleet to open');
    const openUntil = replicas[0]!.breaker.toJSON().openUntil!;
    await waitFor(() => Date.now() > openUntil + 5, 5_000, 'the open time to pass');
    let probes = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const results = replicas.flatMap((r) =>
      Array.from({ length: 50 }, () =>
        r.breaker
          .execute(async () => {
            probes++;
            await gate;
            return 'probed';
          })
          .catch((e: unknown) => (e as Error).name),
      ),
    );
    await waitFor(() => probes === maxCalls, 5_000, 'the probes to start');
    release();
    const settled = await Promise.all(results);
    expect(probes).toBe(maxCalls);
    expect(settled.filter((r) => r === 'probed')).toHaveLength(maxCalls);
    await waitFor(allIn(replicas, 'closed'), 5_000, 'the fleet to close');
  });

  it('operator commands on one replica act on the whole fleet', async () => {
    const replicas = await clusterFleet(2, { prefix: uniquePrefix(), flushMs: 20 }, {});
    replicas[0]!.breaker.isolate();
    await waitFor(allIn(replicas, 'isolated'), 5_000, 'the fleet isolated');
    replicas[1]!.breaker.reset();
    await waitFor(allIn(replicas, 'closed'), 5_000, 'the fleet reset');
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
    await waitFor(() => Date.now() > opened.openUntil! + 5, 5_000, 'the open time to pass');
    // Another replica's probes closed it; this one has not heard yet (no message published).
    const closed = { ...opened, state: 'closed', version: opened.version + 2, openUntil: null };
    await admin.hset(`${prefix}{svc}:state`, 'snapshot', JSON.stringify(closed));
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
    const slot = Number(await cluster.nodes[0]!.admin.cluster('KEYSLOT', `${prefix}{svc}:state`));
    const source = cluster.owner(slot);
    const target = cluster.nodes.find((n) => n !== source)!;
    // Some state to keep: 3 shared consecutive failures.
    for (const r of replicas) await r.breaker.execute(failing).catch(() => undefined);
    await waitFor(
      async () => (await admin.hget(`${prefix}{svc}:state`, 'consecutive')) === '3',
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
  it('a cluster in cluster_state:fail is reported unreachable; probes do not wait; ready after it recovers', async () => {
    const prefix = uniquePrefix();
    const replicas = await clusterFleet(
      1,
      { prefix, flushMs: 20, commandTimeoutMs: 1_000 },
      { trip: consecutive(1), openMs: 50 },
    );
    const r = replicas[0]!;
    const slot = Number(await cluster.nodes[0]!.admin.cluster('KEYSLOT', `${prefix}{svc}:state`));
    // Kill a master that does not serve this breaker: the cluster fails as a whole.
    const victim = cluster.nodes.find((n) => n !== cluster.owner(slot))!;
    const survivor = cluster.owner(slot);
    await cluster.kill(victim);
    await waitFor(
      async () => String(await survivor.admin.cluster('INFO')).includes('cluster_state:fail'),
      15_000,
      'cluster_state:fail',
      50,
    );
    // Calls keep answering (decided locally); the commands' failures show in health.
    for (let i = 0; i < 20 && r.store.status().connection === 'ready'; i++) {
      await r.breaker.execute(failing).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await r.breaker.execute(() => 'ok').catch(() => undefined);
    }
    await waitFor(() => r.store.status().connection === 'unreachable', 10_000, 'unreachable');
    expect(r.store.status().lastError).toMatch(/CLUSTERDOWN|no answer|fail/i);
    // A half-open probe decides at once instead of waiting out commandTimeoutMs per call.
    await r.breaker.execute(failing).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 60)); // the 50 ms open time
    const local = r.store.status().localProbes;
    await expect(r.breaker.execute(() => 'local')).resolves.toBe('local');
    expect(r.store.status().localProbes).toBe(local + 1);

    await cluster.revive(victim);
    await waitFor(() => r.store.status().connection === 'ready', 20_000, 'ready again');
  });
});
