/**
 * Chaos for the shared store: three replicas share breakers through one `redis-server` under
 * load; the server is SIGKILLed mid-run and restarted empty. Promises: no call fails because of
 * the store, every replica reports the outage in health and then recovers, and the fleet
 * resyncs without flapping (a breaker tripped during the outage stays tripped, once, fleet-wide).
 */
import { CircuitOpenError, circuitBreaker, consecutive } from '../../src/core/index.js';
import { redisStore } from '../../src/redis/index.js';
import { startRedis } from '../../test/support/redis-server.js';
import { waitFor } from '../../test/support/wait-for.js';
import { check, finish, profileOf, trackUnhandled } from '../report.js';

const profile = profileOf(process.argv);
const loadMs = profile === 'quick' ? 1_000 : 5_000;
const unhandled = trackUnhandled();

const server = await startRedis();
const prefix = `proof-${process.pid}:`;
const replicas = [0, 1, 2].map(() => {
  const store = redisStore({ url: server.url, prefix, flushMs: 25, resyncMs: 200 });
  const changes: string[] = [];
  const steady = circuitBreaker({ name: 'steady', store, trip: consecutive(5), openMs: 60_000 });
  const tripped = circuitBreaker({ name: 'tripped', store, trip: consecutive(5), openMs: 60_000 });
  steady.onStateChange(({ to }) => changes.push(`steady:${to}`));
  tripped.onStateChange(({ to }) => changes.push(`tripped:${to}`));
  const health: string[] = [];
  store.onStatusChange((status) => health.push(status.connection));
  return { store, steady, tripped, changes, health };
});

let answered = 0;
const storeFailures: unknown[] = [];
let loading = true;
const load = async (r: (typeof replicas)[number]): Promise<void> => {
  for (let i = 0; loading && i < 10_000_000; i++) {
    try {
      await r.steady.execute(() => 'ok');
      answered += 1;
    } catch (error) {
      storeFailures.push(error);
    }
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
};
const loops = replicas.map(load);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
await wait(loadMs);
const beforeKill = answered;

await server.stop('SIGKILL');
const killedAt = performance.now();
await waitFor(
  () => replicas.every((r) => r.store.status().connection === 'unreachable'),
  15_000,
  'every replica to notice Redis is gone',
);
const noticedMs = performance.now() - killedAt;
await wait(loadMs);
const duringOutage = answered - beforeKill;
// One replica trips a breaker on its own while Redis is away.
const [first] = replicas;
if (first === undefined) throw new Error('no replica');
for (let i = 0; i < 5; i++)
  await first.tripped.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);

await server.restart();
const restartedAt = performance.now();
await waitFor(
  () => replicas.every((r) => r.store.status().connection === 'ready'),
  20_000,
  'every replica to reconnect',
);
await waitFor(
  () => replicas.every((r) => r.tripped.state === 'open'),
  10_000,
  'the fleet to adopt the trip',
);
const resyncedMs = performance.now() - restartedAt;
await wait(loadMs);
loading = false;
await Promise.all(loops);
for (let round = 0; round < 3; round++) await Promise.all(replicas.map((r) => r.store.sync()));

const changes = replicas.map((r) => r.changes.join(','));
const steadyRejected = storeFailures.filter((e) => e instanceof CircuitOpenError).length;
const otherFailures = storeFailures.length - steadyRejected;
for (const r of replicas) {
  r.steady.dispose();
  r.tripped.dispose();
}
await Promise.all(replicas.map((r) => r.store.close()));
await server.stop();

finish({
  suite: 'chaos-redis',
  figures: {
    replicas: replicas.length,
    callsAnswered: answered,
    callsDuringOutage: duringOutage,
    outageNoticedMs: noticedMs.toFixed(0),
    resyncedAfterRestartMs: resyncedMs.toFixed(0),
  },
  checks: [
    check(
      'no call failed because of the store (Redis SIGKILLed and restarted empty)',
      storeFailures.length === 0,
      `${answered} calls answered, ${otherFailures} failed, ${steadyRejected} rejected by a breaker`,
    ),
    check(
      'calls kept being answered while Redis was gone',
      duringOutage > 0,
      `${duringOutage} calls`,
    ),
    check(
      'every replica reported the outage in health, then recovered',
      replicas.every((r) => r.health.join(',') === 'ready,unreachable,ready,closed'),
      replicas.map((r) => r.health.join('→')).join('; '),
    ),
    check(
      'the fleet resynced without flapping: one transition each, to open',
      changes.every((c) => c === 'tripped:open'),
      changes.join('; '),
    ),
    check('no unhandled rejection', unhandled() === 0, `${unhandled()}`),
  ],
});
