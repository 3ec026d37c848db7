/**
 * The fleet's costs on a real redis-server, measured (FLEET.md and the `fleet` bench suite):
 * convergence at 3, 10 and 50 replicas (child processes hosting several replicas each, every
 * replica with its own store and connections), Redis commands and bytes per call, per flush
 * and per transition, commands per replica per second at 1,000 calls/s, and the success
 * path of one more replica while 49 others load Redis.
 */
import { Redis } from 'ioredis';
import { circuitBreaker, consecutive, type CircuitBreaker } from '../../src/core/index.js';
import { redisStore, type RedisStore } from '../../src/redis/index.js';
import type { Child } from '../../test/support/child.js';
import { startRedis, type RedisServer } from '../../test/support/redis-server.js';
import {
  startReplicaFleet,
  stopReplicaFleet,
  transitionsTo,
} from '../../test/support/replica-fleet.js';
import { waitFor } from '../../test/support/wait-for.js';
import { timeCall } from '../harness.js';

export const FLUSH_MS = 100;
/** Calls per second of each of the 49 other replicas while the success path is timed. */
export const OTHERS_RATE = 200;

export interface RedisCounters {
  /** Commands Redis executed (those run inside scripts included; INFO excluded). */
  readonly commands: number;
  /** Script calls (EVALSHA + EVAL): the round trips the store sends. */
  readonly scripts: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Microseconds Redis spent in EVALSHA, in total. */
  readonly scriptUsec: number;
}

export async function counters(admin: Redis): Promise<RedisCounters> {
  const [commandstats, stats] = await Promise.all([
    admin.info('commandstats'),
    admin.info('stats'),
  ]);
  let commands = 0;
  let scripts = 0;
  let scriptUsec = 0;
  for (const m of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    const [, name = '', calls = '0', usec = '0'] = m;
    if (name === 'info') continue;
    commands += Number(calls);
    if (name === 'evalsha' || name === 'eval') {
      scripts += Number(calls);
      scriptUsec += Number(usec);
    }
  }
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
  return {
    commands,
    scripts,
    scriptUsec,
    bytesIn: field('total_net_input_bytes'),
    bytesOut: field('total_net_output_bytes'),
  };
}

export function delta(after: RedisCounters, before: RedisCounters): RedisCounters {
  return {
    commands: after.commands - before.commands,
    scripts: after.scripts - before.scripts,
    scriptUsec: after.scriptUsec - before.scriptUsec,
    bytesIn: after.bytesIn - before.bytesIn,
    bytesOut: after.bytesOut - before.bytesOut,
  };
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
  Number.NaN;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let prefixes = 0;
const prefix = (): string => `fleet${process.pid}-${++prefixes}:`;

async function fleetOf(url: string, replicas: number, perProcess: number): Promise<Child[]> {
  return startReplicaFleet({
    url,
    prefix: prefix(),
    processes: Math.ceil(replicas / perProcess),
    replicasPerProcess: Math.min(replicas, perProcess),
    flushMs: FLUSH_MS,
    openMs: 600_000,
    maxCalls: 1,
    resyncMs: 600_000,
  });
}

type Fleet = Awaited<ReturnType<typeof fleetOf>>;

/**
 * `trips` times: `trip` opens the fleet's breaker and measures one sample (ms), then the fleet is
 * reset and waited on until every replica is closed again. Sorted samples.
 */
async function tripSamples(
  url: string,
  replicas: number,
  perProcess: number,
  trips: number,
  trip: (children: Fleet, started: number) => Promise<number>,
): Promise<number[]> {
  const children = await fleetOf(url, replicas, perProcess);
  const samples: number[] = [];
  try {
    for (let n = 0; n < trips; n++) {
      samples.push(await trip(children, performance.timeOrigin + performance.now()));
      const closed = transitionsTo(children, 'closed').length;
      children[0]!.send({ cmd: 'reset', replica: 0 });
      await waitFor(
        () => transitionsTo(children, 'closed').length === closed + replicas,
        20_000,
        'closed',
        2,
      );
      await sleep(20);
    }
  } finally {
    await stopReplicaFleet(children);
  }
  return samples.sort((a, b) => a - b);
}

/** Trip on one replica → the last replica sees it open, `trips` times; sorted ms. */
function convergenceAt(url: string, replicas: number, perProcess: number, trips: number) {
  return tripSamples(url, replicas, perProcess, trips, async (children, started) => {
    const opens = () => transitionsTo(children, 'open').filter((m) => (m.at as number) >= started);
    children[0]!.send({ cmd: 'fail', replica: 0, n: 3 });
    await waitFor(() => opens().length === replicas, 20_000, 'open', 2);
    const seen = opens();
    const origin = seen.find((m) => m.remote === false)?.at as number;
    return Math.max(...seen.map((m) => m.at as number)) - origin;
  });
}

/**
 * A trip decided by the merged window: one failure on each of 3 replicas in 3 processes (the
 * trip is `consecutive(3)`), so no replica trips alone; from the last failure until the last
 * replica sees it open: a flush, the script, and the fan-out. `trips` times; sorted ms.
 */
function mergedConvergenceAt(url: string, replicas: number, perProcess: number, trips: number) {
  return tripSamples(url, replicas, perProcess, trips, async (children, started) => {
    const since = (event: string, to?: string) =>
      children.flatMap((c) =>
        c.messages.filter(
          (m) =>
            m.event === event && (to === undefined || m.to === to) && (m.at as number) >= started,
        ),
      );
    [0, 1, 2].forEach((i) =>
      children[i % children.length]!.send({ cmd: 'fail', replica: i, n: 1 }),
    );
    await waitFor(() => since('state', 'open').length === replicas, 20_000, 'open', 2);
    const lastFailure = Math.max(...since('failed').map((m) => m.at as number));
    return Math.max(...since('state', 'open').map((m) => m.at as number)) - lastFailure;
  });
}

/** What Redis sees while every replica makes `rate` successful calls a second for `ms`. */
async function underLoad(
  url: string,
  admin: Redis,
  replicas: number,
  perProcess: number,
  rate: number,
  ms: number,
) {
  const children = await fleetOf(url, replicas, perProcess);
  try {
    await sleep(3 * FLUSH_MS);
    const before = await counters(admin);
    const started = performance.now();
    for (const child of children) child.send({ cmd: 'load', rate, ms });
    const loaded = await Promise.all(
      children.map((c) => c.expect((m) => m.event === 'loaded', 60_000)),
    );
    await sleep(2 * FLUSH_MS);
    const seconds = (performance.now() - started) / 1_000;
    const used = delta(await counters(admin), before);
    const calls = loaded.reduce((n, m) => n + (m.calls as number), 0);
    return { used, seconds, calls };
  } finally {
    await stopReplicaFleet(children);
  }
}

async function readyStore(url: string, p: string): Promise<RedisStore> {
  const store = redisStore({ url, prefix: p, flushMs: FLUSH_MS });
  await waitFor(() => store.status().connection === 'ready', 10_000, 'ready');
  return store;
}

/** One replica, one breaker: the cost of one flush (a merge of a batch of successes). */
async function perFlush(url: string, admin: Redis, flushes: number, callsPerFlush: number) {
  const store = await readyStore(url, prefix());
  const breaker = circuitBreaker({ name: 'svc', store, trip: consecutive(5) });
  await store.sync();
  await sleep(2 * FLUSH_MS);
  const before = await counters(admin);
  for (let f = 0; f < flushes; f++) {
    for (let i = 0; i < callsPerFlush; i++) await breaker.execute(() => i);
    await sleep(FLUSH_MS + 20);
  }
  const used = delta(await counters(admin), before);
  await store.close();
  return used;
}

/** A trip (closed → open) and a reset (→ closed) seen by `subscribers` other replicas: cost per transition. */
async function perTransition(url: string, admin: Redis, subscribers: number, transitions: number) {
  const p = prefix();
  const stores = await Promise.all(
    Array.from({ length: subscribers + 1 }, () => readyStore(url, p)),
  );
  const breakers = stores.map((store) =>
    circuitBreaker({ name: 'svc', store, trip: consecutive(1), openMs: 600_000 }),
  );
  await Promise.all(stores.map((s) => s.sync()));
  const [first] = breakers as [CircuitBreaker];
  await sleep(2 * FLUSH_MS);
  const before = await counters(admin);
  for (let t = 0; t < transitions / 2; t++) {
    await first.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    await waitFor(() => breakers.every((b) => b.state === 'open'), 10_000, 'open', 1);
    first.reset();
    await waitFor(() => breakers.every((b) => b.state === 'closed'), 10_000, 'closed', 1);
  }
  const used = delta(await counters(admin), before);
  await Promise.all(stores.map((s) => s.close()));
  return used;
}

/** The success path of one replica with the Redis store vs in memory while `others` load Redis. */
async function successPath(url: string, others: number, perProcess: number): Promise<number> {
  const children = await fleetOf(url, others, perProcess);
  const store = await readyStore(url, prefix());
  const shared = circuitBreaker({ name: 'svc', store });
  const memory = circuitBreaker({ name: 'svc' });
  const answer = () => Promise.resolve(1);
  try {
    // The others keep Redis and pub/sub busy without taking every core of the machine
    // (the timing compares two breakers in this process, not the machine's spare CPU).
    for (const child of children) child.send({ cmd: 'load', rate: OTHERS_RATE, ms: 60_000 });
    const ratios: number[] = [];
    const timeMemory = () => timeCall(() => memory.execute(answer), 1, { rounds: 3 });
    const timeShared = () => timeCall(() => shared.execute(answer), 1, { rounds: 3 });
    for (let round = 0; round < 9; round++) {
      // The order alternates: whichever is timed first in a pair pays for what ran before it.
      const [m, s] =
        round % 2 === 0
          ? [await timeMemory(), await timeShared()]
          : [await timeShared(), await timeMemory()].reverse();
      ratios.push((100 * (s ?? Number.NaN)) / (m ?? Number.NaN));
    }
    return ratios.sort((a, b) => a - b)[4] ?? Number.NaN;
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await store.close();
  }
}

export interface FleetFigures {
  readonly flushMs: number;
  readonly convergence: Record<3 | 10 | 50, readonly number[]>;
  /** A trip decided by the merged window of 3 replicas' failures, 50 replicas listening. */
  readonly mergedConvergence50: readonly number[];
  readonly load: {
    replicas: number;
    rate: number;
    used: RedisCounters;
    seconds: number;
    calls: number;
  };
  readonly flush: { flushes: number; callsPerFlush: number; used: RedisCounters };
  readonly transition: { subscribers: number; transitions: number; used: RedisCounters };
  /** Success path with the Redis store, % of in memory, while 49 other replicas load Redis. */
  readonly successPathPercent: number;
}

export async function measureFleet(trips = 20): Promise<FleetFigures> {
  const server: RedisServer = await startRedis();
  const admin = new Redis(server.url);
  try {
    const convergence = {
      3: await convergenceAt(server.url, 3, 3, trips),
      10: await convergenceAt(server.url, 10, 5, trips),
      50: await convergenceAt(server.url, 50, 10, trips),
    };
    const mergedConvergence50 = await mergedConvergenceAt(server.url, 50, 10, trips);
    const load = {
      replicas: 50,
      rate: 1_000,
      ...(await underLoad(server.url, admin, 50, 10, 1_000, 3_000)),
    };
    const flush = {
      flushes: 20,
      callsPerFlush: 100,
      used: await perFlush(server.url, admin, 20, 100),
    };
    const transition = {
      subscribers: 9,
      transitions: 20,
      used: await perTransition(server.url, admin, 9, 20),
    };
    const successPathPercent = await successPath(server.url, 49, 10);
    return {
      flushMs: FLUSH_MS,
      convergence,
      mergedConvergence50,
      load,
      flush,
      transition,
      successPathPercent,
    };
  } finally {
    admin.disconnect();
    await server.stop();
  }
}
