import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Child } from '../support/child.js';
import {
  startReplicaFleet,
  stopReplicaFleet,
  transitionsTo,
  type ReplicaFleetOptions,
} from '../support/replica-fleet.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { commandCount, uniquePrefix } from './helpers.js';

/**
 * 50 replicas of one service on one redis-server: 5 processes hosting 10 replicas each, every
 * replica with its own store and its own two Redis connections (100 in all). How fast the
 * fleet converges is measured by `npm run bench -- --only fleet` (FLEET.md); here, what must hold.
 */
const REPLICAS = 50;
const PER_PROCESS = 10;
let server: RedisServer;
let admin: Redis;
let fleet: Child[] = [];

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
});
afterEach(async () => {
  await stopReplicaFleet(fleet);
  fleet = [];
});
afterAll(async () => {
  admin.disconnect();
  await server.stop();
});

async function start(options: Partial<ReplicaFleetOptions>): Promise<Child[]> {
  fleet = await startReplicaFleet({
    url: server.url,
    prefix: uniquePrefix(),
    processes: REPLICAS / PER_PROCESS,
    replicasPerProcess: PER_PROCESS,
    flushMs: 100,
    openMs: 60_000,
    maxCalls: 1,
    resyncMs: 600_000, // no resync: pub/sub alone must carry every transition
    ...options,
  });
  return fleet;
}

describe('redisStore: 50 replicas', () => {
  it('a trip on one replica reaches all 50 over pub/sub', async () => {
    const children = await start({});
    children[0]!.send({ cmd: 'fail', replica: 0, n: 3 });
    await waitFor(
      () => transitionsTo(children, 'open').length === REPLICAS,
      15_000,
      'every replica open',
    );
    const opens = transitionsTo(children, 'open');
    expect(opens.filter((m) => m.remote === false)).toHaveLength(1);
    expect(opens.filter((m) => m.remote === true)).toHaveLength(REPLICAS - 1);
  }, 60_000);

  it('50 × 20 concurrent callers in half-open: exactly maxCalls probes fleet-wide', async () => {
    const maxCalls = 3;
    const children = await start({ openMs: 1_500, maxCalls });
    children[0]!.send({ cmd: 'fail', replica: 0, n: 3 });
    await waitFor(() => transitionsTo(children, 'open').length === REPLICAS, 15_000, 'open');
    const failed = await children[0]!.expect((m) => m.event === 'failed');
    const openUntil = failed.openUntil as number;
    await waitFor(() => Date.now() > openUntil + 20, 10_000, 'the open time to pass');
    for (const child of children) child.send({ cmd: 'wave', n: 20 });
    const probing = () =>
      children.reduce((n, c) => n + c.messages.filter((m) => m.event === 'probing').length, 0);
    await waitFor(() => probing() >= maxCalls, 15_000, 'the probes to start');
    // Every caller has had its answer (probe or rejection) before the probes are released.
    await waitFor(
      () =>
        children.every((c) => c.messages.some((m) => m.event === 'state' && m.to === 'half-open')),
      15_000,
      'half-open everywhere',
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // lets late claims arrive, if any
    expect(probing()).toBe(maxCalls);
    for (const child of children) child.send({ cmd: 'release' });
    const waves = await Promise.all(
      children.map((c) => c.expect((m) => m.event === 'wave', 15_000)),
    );
    expect(waves.reduce((n, w) => n + (w.probing as number), 0)).toBe(maxCalls);
    expect(waves.reduce((n, w) => n + (w.rejected as number), 0)).toBe(REPLICAS * 20 - maxCalls);
    await waitFor(
      () => transitionsTo(children, 'closed').length === REPLICAS,
      15_000,
      'closed everywhere',
    );
  }, 60_000);

  it('at 1,000 calls/s per replica, Redis sees about one merge per replica per flushMs', async () => {
    const flushMs = 100;
    const children = await start({ flushMs });
    const before = await commandCount(admin);
    const started = Date.now();
    for (const child of children) child.send({ cmd: 'load', rate: 1_000, ms: 2_000 });
    const loaded = await Promise.all(
      children.map((c) => c.expect((m) => m.event === 'loaded', 30_000)),
    );
    const seconds = (Date.now() - started) / 1_000;
    await new Promise((resolve) => setTimeout(resolve, 3 * flushMs)); // the last flushes
    const commands = (await commandCount(admin)) - before;
    const calls = loaded.reduce((n, m) => n + (m.calls as number), 0);
    expect(calls).toBeGreaterThanOrEqual(REPLICAS * 1_000);
    // One EVALSHA per replica per flush (the merge), whatever the call rate; the script's
    // own commands count too (INFO counts them): a bound of 10 per flush leaves room for them.
    const perReplicaPerSecond = commands / REPLICAS / seconds;
    expect(perReplicaPerSecond).toBeLessThanOrEqual((10 * 1_000) / flushMs);
  }, 60_000);
});
