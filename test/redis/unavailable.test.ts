import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CircuitOpenError, consecutive, createResilience } from '../../src/core/index.js';
import { redisStore } from '../../src/redis/index.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { closeAll, failing, fleet, openTimePassed, uniquePrefix, type Replica } from './helpers.js';

let server: RedisServer;
let admin: Redis;
const open: Replica[][] = [];

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
  admin.on('error', () => undefined); // the server is stopped on purpose below
  // The admin keeps every right while the replicas' user loses some.
  await admin.call('ACL', 'SETUSER', 'admin', 'on', 'nopass', '+@all', '~*', '&*');
  await admin.call('AUTH', 'admin', 'any');
});
afterEach(async () => {
  await admin.call('ACL', 'SETUSER', 'default', '+@all');
  await Promise.all(open.splice(0).map(closeAll));
});
afterAll(async () => {
  admin.disconnect();
  await server.stop();
});

async function halfOpenReplica(onStoreUnavailable: 'local' | 'strict'): Promise<Replica> {
  const replicas = await fleet(
    1,
    { url: server.url, prefix: uniquePrefix(), flushMs: 20, onStoreUnavailable },
    { trip: consecutive(1), openMs: 100 },
  );
  open.push(replicas);
  const r = replicas[0]!;
  await r.breaker.execute(failing).catch(() => undefined);
  await r.store.sync();
  const openUntil = r.breaker.toJSON().openUntil!;
  await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');
  return r;
}

/** Commands fail (NOPERM) while the connection stays up: what a Cluster in `cluster_state:fail` does. */
const denyCommands = () =>
  admin.call('ACL', 'SETUSER', 'default', '-@all', '+ping', '+subscribe', '+quit', '+info');

describe('health reports what the commands see', () => {
  it('commands failing on a live connection: unreachable with the error, probes do not wait, ready again after', async () => {
    const r = await halfOpenReplica('local');
    await denyCommands();
    // The first probe learns that commands fail; the claim is answered with an error at once.
    await expect(r.breaker.execute(() => 'first')).resolves.toBe('first');
    expect(r.store.status()).toMatchObject({ connection: 'unreachable' });
    expect(r.store.status().lastError).toMatch(/NOPERM|permission/i);
    // While they fail, a half-open probe does not even ask Redis: no claim, no timeout.
    await r.breaker.execute(failing).catch(() => undefined); // reopens locally
    const openUntil = r.breaker.toJSON().openUntil!;
    await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');
    const before = r.store.status().localProbes;
    const redisAnswers = admin.ping().then(() => 'redis');
    await expect(Promise.race([r.breaker.execute(() => 'local'), redisAnswers])).resolves.toBe(
      'local',
    );
    expect(r.store.status().localProbes).toBe(before + 1);
    await admin.call('ACL', 'SETUSER', 'default', '+@all');
    await waitFor(() => r.store.status().connection === 'ready', 10_000, 'ready again');
    expect(r.store.status().lastError).toBeUndefined();
  });
});

describe('onStoreUnavailable', () => {
  it("'local' (default): a half-open probe runs on the local slot and is counted", async () => {
    const r = await halfOpenReplica('local');
    await server.stop();
    await waitFor(() => r.store.status().connection === 'unreachable', 10_000, 'unreachable');
    await expect(r.breaker.execute(() => 'probed')).resolves.toBe('probed');
    expect(r.store.status()).toMatchObject({ onStoreUnavailable: 'local', localProbes: 1 });
    expect(r.breaker.state).toBe('closed');
    await server.restart();
    await waitFor(() => r.store.status().connection === 'ready', 15_000, 'ready again');
  });

  it("'strict': a probe that cannot claim a fleet-wide slot is refused; the breaker stays open until Redis returns", async () => {
    const r = await halfOpenReplica('strict');
    await server.stop();
    await waitFor(() => r.store.status().connection === 'unreachable', 10_000, 'unreachable');
    const error = await r.breaker.execute(() => 'probed').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(r.store.status()).toMatchObject({ onStoreUnavailable: 'strict', refusedProbes: 1 });
    expect(r.breaker.state).not.toBe('closed');
    await server.restart();
    await waitFor(() => r.store.status().connection === 'ready', 15_000, 'ready again');
    await expect(r.breaker.execute(() => 'probed')).resolves.toBe('probed');
    expect(r.breaker.state).toBe('closed');
  });

  it('the policy shows in the orchestrator health; an unknown one is refused at construction', async () => {
    const store = redisStore({
      url: server.url,
      prefix: uniquePrefix(),
      onStoreUnavailable: 'strict',
    });
    const resilience = createResilience({ store });
    expect(resilience.healthStatus().store).toMatchObject({ onStoreUnavailable: 'strict' });
    await store.close();
    expect(() => redisStore({ url: server.url, onStoreUnavailable: 'never' as 'local' })).toThrow(
      /onStoreUnavailable must be one of 'local', 'strict', got/,
    );
  });
});

describe('pub/sub messages and scripts', () => {
  it('null, garbage and foreign messages on the channel are ignored; a real one still arrives', async () => {
    const prefix = uniquePrefix();
    const replicas = await fleet(
      2,
      { url: server.url, prefix, flushMs: 20 },
      { trip: consecutive(1) },
    );
    open.push(replicas);
    for (const junk of ['null', '', '{', '[]', '{"name":"svc","state":"open"}', '42']) {
      await admin.publish(`${prefix}transitions`, junk);
    }
    expect(replicas.every((r) => r.breaker.state === 'closed')).toBe(true);
    await replicas[0]!.breaker.execute(failing).catch(() => undefined);
    await waitFor(() => replicas[1]!.breaker.state === 'open', 5_000, 'the real transition');
  });

  it('a Redis that forgot the scripts (SCRIPT FLUSH) loads them again without failing a call', async () => {
    const replicas = await fleet(
      2,
      { url: server.url, prefix: uniquePrefix(), flushMs: 20 },
      { trip: consecutive(2) },
    );
    open.push(replicas);
    await admin.script('FLUSH');
    for (const r of replicas) await r.breaker.execute(failing).catch(() => undefined);
    await waitFor(() => replicas.every((r) => r.breaker.state === 'open'), 5_000, 'merged trip');
    expect(replicas.map((r) => r.store.status().connection)).toEqual(['ready', 'ready']);
  });
});
