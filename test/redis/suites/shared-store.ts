import { afterEach, describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  circuitBreaker,
  consecutive,
  failureRate,
  type CircuitBreaker,
  type CircuitBreakerOptions,
} from '../../../src/core/index.js';
import { redisStore, type RedisStoreOptions } from '../../../src/redis/index.js';
import type { RedisBackend } from '../../support/redis-backends.js';
import { waitFor } from '../../support/wait-for.js';
import {
  closeAll,
  failing,
  openTimePassed,
  replica,
  uniquePrefix,
  type Replica,
} from '../helpers.js';

/**
 * The shared store's suite: what a fleet of replicas sharing breakers through Redis must see,
 * run against each backend (one redis-server, a 3-master Redis Cluster). The backend is
 * started by the test file, once, and read here when each test runs.
 */
export function sharedStoreSuite(where: string, backend: () => RedisBackend): void {
  describe(`the shared store, on ${where}`, () => {
    const open: Replica[][] = [];

    afterEach(async () => {
      await Promise.all(open.splice(0).map(closeAll));
      await backend().releaseClients();
    });

    /** `count` replicas, each with its own store and its own connection to the backend. */
    async function startFleet(
      count: number,
      storeOptions: Omit<RedisStoreOptions, 'client' | 'url'>,
      breakerOptions: Omit<CircuitBreakerOptions, 'store'>,
    ): Promise<Replica[]> {
      const replicas = Array.from({ length: count }, () =>
        replica({ ...backend().connection(), ...storeOptions }, breakerOptions),
      );
      open.push(replicas);
      await waitFor(
        () => replicas.every((r) => r.store.status().connection === 'ready'),
        15_000,
        'every replica connected',
      );
      return replicas;
    }

    const allIn = (replicas: readonly Replica[], state: string) => () =>
      replicas.every((r) => r.breaker.state === state);

    /** Calls that answer `value` once the gate opens. */
    function gate() {
      let openGate: () => void = () => undefined;
      const opened = new Promise<void>((resolve) => (openGate = resolve));
      return { opened, open: () => openGate() };
    }

    describe('redisStore: a fleet shares one breaker', () => {
      it('a trip on one replica reaches all over pub/sub (no resync needed)', async () => {
        const flushMs = 100;
        // No resync within the test: only the published transition can carry the trip; how
        // fast it arrives is the machine's business and is measured by `npm run bench`.
        const replicas = await startFleet(
          3,
          { prefix: uniquePrefix(), flushMs, resyncMs: 600_000 },
          { trip: consecutive(3), openMs: 60_000 },
        );
        const [first] = replicas as [Replica];
        for (let i = 0; i < 3; i++) await first.breaker.execute(failing).catch(() => undefined);
        expect(first.breaker.state).toBe('open');
        await waitFor(allIn(replicas, 'open'), 5_000, 'the fleet to open');
        for (const other of replicas.slice(1)) {
          expect(other.changes.map(({ to, remote }) => ({ to, remote }))).toEqual([
            { to: 'open', remote: true },
          ]);
        }
        const error = await replicas[2]!.breaker.execute(() => 1).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CircuitOpenError);
        expect((error as CircuitOpenError).retryAfterMs).toBeGreaterThan(59_000);
      });

      it('merges outcomes from every replica: failures spread over the fleet trip it (consecutive)', async () => {
        const flushMs = 100;
        const replicas = await startFleet(
          3,
          { prefix: uniquePrefix(), flushMs },
          { trip: consecutive(3), openMs: 60_000 },
        );
        for (const r of replicas) await r.breaker.execute(failing).catch(() => undefined);
        expect(replicas.map((r) => r.breaker.state)).toEqual(['closed', 'closed', 'closed']);
        await waitFor(allIn(replicas, 'open'), 5_000, 'the merged window to trip');
        // The last failure waits for its replica's next flush, then the script trips the breaker
        // and pub/sub fans it out (the delay is measured in `npm run bench`, not asserted here).
        for (const r of replicas) {
          expect(r.breaker.toJSON()).toMatchObject({ reason: 'failures', opens: 1, version: 1 });
        }
      });

      it('a success anywhere resets the fleet’s consecutive failures', async () => {
        const prefix = uniquePrefix();
        const replicas = await startFleet(2, { prefix, flushMs: 20 }, { trip: consecutive(3) });
        const [a, b] = replicas as [Replica, Replica];
        const shared = (count: string) => async () =>
          (await backend().admin.hget(`${prefix}{svc}:state`, 'consecutive')) === count;
        await a.breaker.execute(failing).catch(() => undefined);
        await a.breaker.execute(failing).catch(() => undefined);
        await waitFor(shared('2'), 5_000, 'two shared failures');
        await b.breaker.execute(() => 'ok');
        await waitFor(shared('0'), 5_000, 'the reset');
        await b.breaker.execute(failing).catch(() => undefined);
        await waitFor(shared('1'), 5_000, 'one shared failure');
        expect(replicas.map((r) => r.breaker.state)).toEqual(['closed', 'closed']);
      });

      it('merges failure-rate windows, by count and by time', async () => {
        for (const window of [
          { kind: 'count', size: 20 },
          { kind: 'time', ms: 10_000 },
        ] as const) {
          const replicas = await startFleet(
            3,
            { prefix: uniquePrefix(), flushMs: 30 },
            { trip: failureRate({ threshold: 0.5, minimumCalls: 6, window }), openMs: 60_000 },
          );
          // 2 calls per replica: no replica reaches minimumCalls alone; the fleet has 6, 3 failed.
          for (const r of replicas) {
            await r.breaker.execute(() => 'ok');
            await r.breaker.execute(failing).catch(() => undefined);
          }
          expect(replicas.map((r) => r.breaker.state)).toEqual(['closed', 'closed', 'closed']);
          await waitFor(allIn(replicas, 'open'), 5_000, `the ${window.kind} window to trip`);
        }
      });

      it('merges slow calls: a fleet whose calls are slow opens with reason slow-calls', async () => {
        const replicas = await startFleet(
          3,
          { prefix: uniquePrefix(), flushMs: 30 },
          {
            trip: failureRate({
              threshold: 0.9,
              minimumCalls: 3,
              window: { kind: 'count', size: 10 },
              slowCall: { ms: 20, rateThreshold: 0.5 },
            }),
            openMs: 60_000,
          },
        );
        const slowly = () => new Promise((resolve) => setTimeout(() => resolve('late'), 40));
        await Promise.all(replicas.map((r) => r.breaker.execute(slowly)));
        expect(replicas.map((r) => r.breaker.state)).toEqual(['closed', 'closed', 'closed']);
        await waitFor(allIn(replicas, 'open'), 5_000, 'the slow-call rate to trip');
        for (const r of replicas) expect(r.breaker.toJSON().reason).toBe('slow-calls');
      });

      it('3 replicas × 50 concurrent callers in half-open: exactly maxCalls probes run, fleet-wide', async () => {
        const maxCalls = 2;
        const replicas = await startFleet(
          3,
          { prefix: uniquePrefix(), flushMs: 50 },
          { trip: consecutive(1), openMs: 300, halfOpen: { maxCalls, successesToClose: 2 } },
        );
        await replicas[0]!.breaker.execute(failing).catch(() => undefined);
        await waitFor(allIn(replicas, 'open'), 5_000, 'the fleet to open');
        const openUntil = replicas[0]!.breaker.toJSON().openUntil!;
        await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');

        const release = gate();
        let probes = 0;
        const probe = async (): Promise<string> => {
          probes++;
          await release.opened;
          return 'probed';
        };
        const wave = () =>
          replicas.flatMap((r) =>
            Array.from({ length: 50 }, () =>
              r.breaker.execute(probe).catch((e: unknown) => (e as Error).name),
            ),
          );
        const first = wave();
        await waitFor(() => probes === maxCalls, 5_000, 'the probes to start');
        const second = wave();
        const rejected = await Promise.all(second);
        expect(rejected.every((name) => name === 'CircuitOpenError')).toBe(true);
        expect(probes).toBe(maxCalls);

        release.open();
        const results = await Promise.all(first);
        expect(results.filter((r) => r === 'probed')).toHaveLength(maxCalls);
        expect(results.filter((r) => r === 'CircuitOpenError')).toHaveLength(150 - maxCalls);
        await waitFor(allIn(replicas, 'closed'), 5_000, 'the fleet to close');
      });

      it('a probe whose replica never finishes does not wedge the breaker: its claim expires', async () => {
        const probeTtlMs = 400;
        const replicas = await startFleet(
          3,
          { prefix: uniquePrefix(), flushMs: 50, probeTtlMs },
          { trip: consecutive(1), openMs: 200 },
        );
        const [stuck, b, c] = replicas as [Replica, Replica, Replica];
        await stuck.breaker.execute(failing).catch(() => undefined);
        await waitFor(allIn(replicas, 'open'), 5_000, 'the fleet to open');
        const openUntil = stuck.breaker.toJSON().openUntil!;
        await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');

        const never = gate();
        let stuckProbes = 0;
        void stuck.breaker.execute(() => {
          stuckProbes++;
          return never.opened;
        });
        await waitFor(() => stuckProbes === 1, 5_000, 'the probe to start');
        const claimedAt = Date.now();
        await expect(b.breaker.execute(() => 'b')).rejects.toBeInstanceOf(CircuitOpenError);

        // Keep calling from the other replicas: once the claim expires, one of them probes.
        let answer: unknown;
        await waitFor(
          async () => {
            answer = await c.breaker.execute(() => 'c').catch((e: unknown) => e);
            return answer === 'c';
          },
          10_000,
          'another replica to probe',
        );
        expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(probeTtlMs - 50);
        await waitFor(allIn(replicas, 'closed'), 5_000, 'the fleet to close');
        never.open();
      });

      it('isolate(), reset(), disable() and enable() on one replica act on the whole fleet', async () => {
        const replicas = await startFleet(
          3,
          { prefix: uniquePrefix(), flushMs: 50 },
          { trip: consecutive(2) },
        );
        const [a, b, c] = replicas as [Replica, Replica, Replica];
        a.breaker.isolate();
        await waitFor(allIn(replicas, 'isolated'), 5_000, 'isolated everywhere');
        const error = await c.breaker.execute(() => 1).catch((e: unknown) => e);
        expect((error as CircuitOpenError).retryAfterMs).toBeUndefined();
        b.breaker.reset();
        await waitFor(allIn(replicas, 'closed'), 5_000, 'reset everywhere');
        c.breaker.disable();
        await waitFor(allIn(replicas, 'disabled'), 5_000, 'disabled everywhere');
        a.breaker.enable();
        await waitFor(allIn(replicas, 'closed'), 5_000, 'enabled everywhere');
        // Operator commands win even on a replica that is behind.
        expect(new Set(replicas.map((r) => r.breaker.toJSON().version)).size).toBe(1);
      });

      it('keeps the state across a service restart', async () => {
        const prefix = uniquePrefix();
        const before = await startFleet(
          2,
          { prefix, flushMs: 50 },
          { trip: consecutive(1), openMs: 60_000 },
        );
        await before[0]!.breaker.execute(failing).catch(() => undefined);
        await waitFor(allIn(before, 'open'), 5_000, 'the fleet to open');
        const openUntil = before[0]!.breaker.toJSON().openUntil!;
        await closeAll(open.pop()!);

        const after = await startFleet(
          2,
          { prefix, flushMs: 50 },
          { trip: consecutive(1), openMs: 60_000 },
        );
        await waitFor(allIn(after, 'open'), 5_000, 'the restarted fleet to load the state');
        for (const r of after) expect(r.breaker.toJSON().openUntil).toBe(openUntil);
        const error = await after[1]!.breaker.execute(() => 1).catch((e: unknown) => e);
        expect((error as CircuitOpenError).retryAfterMs).toBeGreaterThan(50_000);
      });

      it('restores toJSON() state: a breaker started from a newer snapshot brings the fleet to it', async () => {
        const prefix = uniquePrefix();
        const replicas = await startFleet(
          2,
          { prefix, flushMs: 50 },
          { trip: consecutive(3), openMs: 60_000 },
        );
        const openUntil = Date.now() + 30_000;
        const restored = replica(
          { ...backend().connection(), prefix, flushMs: 50 },
          {
            initialState: {
              name: 'svc',
              state: 'open',
              version: 7,
              reason: 'failures',
              since: Date.now(),
              openUntil,
              opens: 2,
            },
          },
        );
        open.push([restored]);
        const all = [...replicas, restored];
        await waitFor(allIn(all, 'open'), 5_000, 'the fleet to take the restored state');
        for (const r of all)
          expect(r.breaker.toJSON()).toMatchObject({ version: 7, openUntil, opens: 2 });
        const stored = JSON.parse(
          (await backend().admin.hget(`${prefix}{svc}:state`, 'snapshot'))!,
        ) as unknown;
        expect(stored).toMatchObject({ state: 'open', version: 7, openUntil });
      });

      it('a Redis that stops answering does not hold a half-open call: past commandTimeoutMs the replica decides', async () => {
        const replicas = await startFleet(
          1,
          { prefix: uniquePrefix(), flushMs: 50, commandTimeoutMs: 200 },
          { trip: consecutive(1), openMs: 100 },
        );
        const { breaker } = replicas[0]!;
        await breaker.execute(failing).catch(() => undefined);
        await replicas[0]!.store.sync();
        const openUntil = breaker.toJSON().openUntil!;
        await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');
        await backend().pause(1_500);
        // Anything Redis answers comes after the pause: the call must settle before that.
        const redisAnswers = backend()
          .ping()
          .then(() => 'redis');
        const call = breaker.execute(() => 'probed');
        await expect(Promise.race([call, redisAnswers])).resolves.toBe('probed');
        expect(breaker.state).toBe('closed');
      });

      it('the periodic resync brings every replica to a transition that pub/sub never delivered', async () => {
        const prefix = uniquePrefix();
        const replicas = await startFleet(
          3,
          { prefix, flushMs: 50, resyncMs: 100 },
          { trip: consecutive(3) },
        );
        const missed = {
          name: 'svc',
          state: 'isolated',
          version: 4,
          reason: 'isolate',
          since: Date.now(),
          openUntil: null,
          opens: 0,
        };
        // Written behind the fleet's back: no message is published.
        await backend().admin.hset(`${prefix}{svc}:state`, 'snapshot', JSON.stringify(missed));
        await waitFor(allIn(replicas, 'isolated'), 5_000, 'the resync to deliver it');
        for (const r of replicas)
          expect(r.changes).toEqual([expect.objectContaining({ remote: true })]);
      });

      it('batches: 10,000 successful calls cost a handful of Redis commands', async () => {
        const replicas = await startFleet(
          1,
          { prefix: uniquePrefix(), flushMs: 100 },
          { trip: consecutive(5) },
        );
        const breaker: CircuitBreaker = replicas[0]!.breaker;
        const before = await backend().commandCount();
        const started = Date.now();
        for (let i = 0; i < 10_000; i++) await breaker.execute(() => i);
        const elapsed = Date.now() - started;
        await replicas[0]!.store.sync();
        await waitFor(() => replicas[0]!.store.status().pending === 0, 5_000, 'the last flush');
        const commands = (await backend().commandCount()) - before;
        // At most one merge per flushMs, plus the one in flight when the loop ends, the reads
        // of sync() and what else the server counted meanwhile (5–7 in all on one server or a
        // Cluster, measured): a handful, not one per call.
        const merges = Math.ceil(elapsed / 100) + 1;
        expect(commands).toBeLessThanOrEqual(merges + 10);
      });

      it('keys carry the prefix and the breaker name as a hash tag (Redis Cluster)', async () => {
        const prefix = uniquePrefix();
        const replicas = await startFleet(
          1,
          { prefix, flushMs: 20 },
          { name: 'payments:eu', trip: consecutive(2) },
        );
        await replicas[0]!.breaker.execute(failing).catch(() => undefined);
        replicas[0]!.breaker.isolate();
        await waitFor(async () => (await backend().keys(`${prefix}*`)).length > 0);
        const keys = await backend().keys(`${prefix}*`);
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys)
          expect(key).toMatch(/^t[\d-]+:\{payments:eu\}:(state|window|probes)$/);
      });
    });

    describe('redisStore: when Redis goes away', () => {
      it('under load, no call fails because of it; the fleet decides locally, reports it, and resyncs without flapping when Redis returns empty', async () => {
        const replicas = await startFleet(
          3,
          { prefix: uniquePrefix(), flushMs: 25, resyncMs: 200 },
          { trip: consecutive(5), openMs: 60_000 },
        );
        let ok = 0;
        const unexpected: unknown[] = [];
        let loading = true;
        const load = async (r: Replica): Promise<void> => {
          for (let i = 0; loading && i < 1_000_000; i++) {
            try {
              await r.breaker.execute(() => 'ok');
              ok++;
            } catch (error) {
              unexpected.push(error);
            }
            if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
        };
        const loops = replicas.map(load);
        await waitFor(() => ok > 3_000, 10_000, 'load to run');

        await backend().crash();
        await waitFor(
          () => replicas.every((r) => r.store.status().connection === 'unreachable'),
          10_000,
          'every replica to notice',
        );
        const okBefore = ok;
        await waitFor(() => ok > okBefore + 3_000, 10_000, 'load to go on without Redis');
        // A replica still trips on its own outcomes while Redis is away.
        const [a, b, c] = replicas as [Replica, Replica, Replica];
        const health: string[] = [];
        a.store.onStatusChange((status) => {
          health.push(status.connection);
        });
        for (let i = 0; i < 5; i++) await a.breaker.execute(failing).catch(() => undefined);
        expect(a.breaker.state).toBe('open');
        expect(a.store.status()).toMatchObject({ connection: 'unreachable', pending: 1 });
        expect(b.breaker.state).toBe('closed');

        await backend().restart();
        await waitFor(
          () => replicas.every((r) => r.store.status().connection === 'ready'),
          15_000,
          'every replica to reconnect',
        );
        await waitFor(allIn(replicas, 'open'), 5_000, 'the fleet to adopt the trip');
        expect(health).toEqual(['ready']);
        loading = false;
        await Promise.all(loops);
        expect(unexpected.filter((e) => !(e instanceof CircuitOpenError))).toEqual([]);
        // Redis holds the state again, and nobody flapped: one change each, no way back.
        expect(await backend().keys('*')).not.toHaveLength(0);
        const settledChanges = replicas.map((r) => r.changes.length);
        await Promise.all(replicas.map((r) => r.store.sync()));
        await Promise.all(replicas.map((r) => r.store.sync()));
        expect(replicas.map((r) => r.changes.length)).toEqual(settledChanges);
        expect(a.changes.map((x) => x.to)).toEqual(['open']);
        expect(b.changes.map((x) => x.to)).toEqual(['open']);
        expect(c.changes.map((x) => x.to)).toEqual(['open']);
      });

      it('keeps deciding locally from the start when Redis is not there, and says so', async () => {
        const r = replica(
          { ...backend().nowhere(), prefix: uniquePrefix(), flushMs: 10 },
          { trip: consecutive(2), openMs: 200 },
        );
        open.push([r]);
        await expect(r.breaker.execute(() => 'fine')).resolves.toBe('fine');
        await r.breaker.execute(failing).catch(() => undefined);
        await r.breaker.execute(failing).catch(() => undefined);
        expect(r.breaker.state).toBe('open');
        await waitFor(() => r.store.status().connection === 'unreachable', 5_000, 'unreachable');
        expect(r.store.status().lastError).toMatch(backend().refused);
        // Half-open too: with no fleet to ask, the local slot decides the probe.
        const openUntil = r.breaker.toJSON().openUntil!;
        await waitFor(openTimePassed(openUntil), 5_000, 'the open time to pass');
        await expect(r.breaker.execute(() => 'probe')).resolves.toBe('probe');
        expect(r.breaker.state).toBe('closed');
      });
    });

    describe('redisStore: lifecycle', () => {
      const clientCount = (): Promise<number> => backend().clientCount();

      it('close() quits the clients it created and leaves nothing behind', async () => {
        const baseline = await clientCount();
        const replicas = await startFleet(
          2,
          { prefix: uniquePrefix(), flushMs: 10 },
          { trip: consecutive(2) },
        );
        // Two clients each at least: commands and pub/sub (a Cluster client has one per master).
        await waitFor(async () => (await clientCount()) >= baseline + 4, 5_000, 'the connections');
        await closeAll(open.pop()!);
        await backend().releaseClients(); // a client handed to a store is its user's to quit
        await waitFor(async () => (await clientCount()) <= baseline, 5_000, 'connections closed');
        expect(replicas[0]!.store.status().connection).toBe('closed');
      });

      it('leaves a client it was given open, with none of its listeners on it', async () => {
        const client = backend().client();
        await client.ping();
        const listeners = client.eventNames().map((e) => client.listenerCount(e));
        const store = redisStore({ client, prefix: uniquePrefix(), flushMs: 10 });
        await waitFor(() => store.status().connection === 'ready', 5_000, 'the store to be ready');
        const breaker = circuitBreaker({ name: 'svc', store, trip: consecutive(1) });
        await breaker.execute(failing).catch(() => undefined);
        await store.sync();
        await store.close();
        expect(client.eventNames().map((e) => client.listenerCount(e))).toEqual(listeners);
        await expect(client.ping()).resolves.toBe('PONG');
      });

      it('rejects invalid options, naming them', () => {
        expect(() => redisStore({})).toThrow(/exactly one of client .* or url/);
        expect(() => redisStore({ url: 'redis://127.0.0.1:1', flushMs: 0 })).toThrow(
          /redisStore: flushMs must be an integer ≥ 1, got 0/,
        );
        expect(() => redisStore({ url: 'redis://127.0.0.1:1', probeTtlMs: 1.5 })).toThrow(
          /probeTtlMs/,
        );
      });
    });
  });
}
