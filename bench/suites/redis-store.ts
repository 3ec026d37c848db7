import { Redis } from 'ioredis';
import {
  circuitBreaker,
  consecutive,
  failureRate,
  type CircuitBreaker,
} from '../../src/core/index.js';
import { redisStore, type RedisStore } from '../../src/redis/index.js';
import { startRedis, type RedisServer } from '../../test/support/redis-server.js';
import { waitFor } from '../../test/support/wait-for.js';
import { timeCall, type BenchCase, type BenchMeasurement, type BenchSuite } from '../harness.js';

const answer = (): Promise<number> => Promise.resolve(1);
const failing = (): Promise<never> =>
  Promise.reject(Object.assign(new Error('down'), { status: 503 }));
const FLUSH_MS = 100;

let server: RedisServer | undefined;
let admin: Redis | undefined;
const stores: RedisStore[] = [];
let prefixes = 0;

async function started(): Promise<{ server: RedisServer; admin: Redis }> {
  server ??= await startRedis();
  admin ??= new Redis(server.url);
  return { server, admin };
}

async function sharedStore(prefix = `bench${++prefixes}:`): Promise<RedisStore> {
  const { server } = await started();
  const store = redisStore({ url: server.url, prefix, flushMs: FLUSH_MS });
  stores.push(store);
  await waitFor(() => store.status().connection === 'ready', 10_000, 'the store to connect');
  return store;
}

/** Calls of every Redis command so far (INFO itself excluded). */
async function commands(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] !== 'info') total += Number(m[2]);
  }
  return total;
}

/** Commands the store sent (round trips), and all Redis executed (those inside scripts too). */
interface CommandCount {
  sent: number;
  executed: number;
}

/**
 * Redis commands for 10,000 calls through a breaker that is the only one talking to Redis,
 * counted once its last flush landed: sent ones through MONITOR, executed ones through
 * INFO commandstats deltas (which count every command a script runs).
 */
async function commandsPer10k(
  make: (store: RedisStore) => CircuitBreaker,
  call: (i: number) => unknown,
  pauseEvery100Ms = 0,
): Promise<CommandCount> {
  const { admin } = await started();
  await Promise.all(stores.splice(0).map((store) => store.close()));
  const store = await sharedStore();
  const breaker = make(store);
  await store.sync();
  const before = await commands(admin);
  const monitor = await admin.monitor();
  let sent = 0;
  monitor.on('monitor', (_time: string, _args: string[], source: string) => {
    if (source !== 'lua') sent++;
  });
  for (let i = 0; i < 10_000; i++) {
    await breaker.execute(() => call(i)).catch(() => undefined);
    if (pauseEvery100Ms > 0 && i % 100 === 99) {
      await new Promise((resolve) => setTimeout(resolve, pauseEvery100Ms));
    }
  }
  await new Promise((resolve) => setTimeout(resolve, FLUSH_MS * 3));
  monitor.disconnect();
  const executed = (await commands(admin)) - before;
  await Promise.all(stores.splice(0).map((s) => s.close()));
  return { sent, executed };
}

const commandRows = (what: string, count: CommandCount): BenchMeasurement[] => [
  {
    name: `Redis commands sent per 10,000 calls (${what})`,
    library: 'breakwater',
    value: count.sent,
    unit: 'commands',
    target: 'redeye: 14',
  },
  {
    name: `Redis commands executed per 10,000 calls, script internals included (${what})`,
    library: 'breakwater',
    value: count.executed,
    unit: 'commands',
  },
];

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/**
 * Convergence: three replicas; a breaker trips on one (locally, or in the shared window from
 * failures spread over the fleet); the time until the last replica sees it open.
 */
async function convergence(merged: boolean, trips: number): Promise<number[]> {
  const prefix = `bench${++prefixes}:`;
  const replicas = await Promise.all(
    [0, 1, 2].map(async () => {
      const store = await sharedStore(prefix);
      return circuitBreaker({ name: 'svc', store, trip: consecutive(3), openMs: 60_000 });
    }),
  );
  const samples: number[] = [];
  for (let trip = 0; trip < trips; trip++) {
    let started: number;
    if (merged) {
      for (const replica of replicas) await replica.execute(failing).catch(() => undefined);
      started = performance.now();
    } else {
      started = performance.now();
      for (let i = 0; i < 3; i++) await replicas[0]!.execute(failing).catch(() => undefined);
    }
    await waitFor(() => replicas.every((r) => r.state === 'open'), 10_000, 'convergence', 1);
    samples.push(performance.now() - started);
    replicas[trip % 3]!.reset();
    await waitFor(() => replicas.every((r) => r.state === 'closed'), 10_000, 'reset', 1);
  }
  return samples.sort((a, b) => a - b);
}

let memoryBreaker: CircuitBreaker | undefined;
let sharedBreaker: CircuitBreaker | undefined;

const suite: BenchSuite = {
  title: 'redis store',
  async cases(): Promise<BenchCase[]> {
    memoryBreaker = circuitBreaker({ name: 'svc' });
    sharedBreaker = circuitBreaker({ name: 'svc', store: await sharedStore() });
    const memory = memoryBreaker;
    const shared = sharedBreaker;
    return [
      {
        name: 'breaker (closed, success), in memory',
        library: 'breakwater',
        call: () => memory.execute(answer),
      },
      {
        name: 'breaker (closed, success), redisStore',
        library: 'breakwater',
        call: () => shared.execute(answer),
      },
      {
        name: 'breaker (closed, success), in memory',
        library: 'breakwater',
        call: () => memory.execute(answer),
        inFlight: 1000,
      },
      {
        name: 'breaker (closed, success), redisStore',
        library: 'breakwater',
        call: () => shared.execute(answer),
        inFlight: 1000,
      },
    ];
  },
  async measure(): Promise<BenchMeasurement[]> {
    const memory = memoryBreaker!;
    const shared = sharedBreaker!;
    const ratio = async (inFlight: number): Promise<number> => {
      // Interleaved rounds, so that both see the same machine.
      const ratios: number[] = [];
      for (let round = 0; round < 5; round++) {
        const m = await timeCall(() => memory.execute(answer), inFlight, { rounds: 3 });
        const s = await timeCall(() => shared.execute(answer), inFlight, { rounds: 3 });
        ratios.push((100 * s) / m);
      }
      return ratios.sort((a, b) => a - b)[2] ?? Number.NaN;
    };
    const sequential = await ratio(1);
    const concurrent = await ratio(1000);
    const allSucceed = await commandsPer10k(
      (store) => circuitBreaker({ name: 'svc', store }),
      () => 1,
    );
    const overOneSecond = await commandsPer10k(
      (store) => circuitBreaker({ name: 'svc', store }),
      () => 1,
      10,
    );
    const tenPercentFail = await commandsPer10k(
      (store) =>
        circuitBreaker({
          name: 'svc',
          store,
          trip: failureRate({
            threshold: 0.5,
            minimumCalls: 100,
            window: { kind: 'count', size: 100 },
          }),
        }),
      (i) => (i % 10 === 0 ? failing() : 1),
    );
    const local = await convergence(false, 40);
    const merged = await convergence(true, 40);
    return [
      {
        name: 'success path, redisStore as % of the in-memory breaker (sequential)',
        library: 'breakwater',
        value: sequential,
        unit: '%',
        target: '≤ 120 %',
      },
      {
        name: 'success path, redisStore as % of the in-memory breaker (1000 in flight)',
        library: 'breakwater',
        value: concurrent,
        unit: '%',
        target: '≤ 120 %',
      },
      ...commandRows('back to back, all succeed', allSucceed),
      ...commandRows('spread over 1 s, all succeed', overOneSecond),
      ...commandRows('back to back, 10 % fail, failure-rate window', tenPercentFail),
      {
        name: 'convergence after a local trip, p50',
        library: 'breakwater',
        value: percentile(local, 50),
        unit: 'ms',
        target: `≤ flushMs + 50 = ${FLUSH_MS + 50} ms`,
      },
      {
        name: 'convergence after a local trip, p99',
        library: 'breakwater',
        value: percentile(local, 99),
        unit: 'ms',
        target: `≤ ${FLUSH_MS + 50} ms`,
      },
      {
        name: 'convergence after a fleet-wide (merged) trip, p50',
        library: 'breakwater',
        value: percentile(merged, 50),
        unit: 'ms',
        target: `≤ ${FLUSH_MS + 50} ms`,
      },
      {
        name: 'convergence after a fleet-wide (merged) trip, p99',
        library: 'breakwater',
        value: percentile(merged, 99),
        unit: 'ms',
        target: `≤ ${FLUSH_MS + 50} ms`,
      },
    ];
  },
  async teardown(): Promise<void> {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    admin?.disconnect();
    await server?.stop();
  },
};

export default suite;
