import { afterEach, describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  circuitBreaker,
  consecutive,
  type CircuitBreakerOptions,
} from '../../../src/core/index.js';
import { circuitKeys } from '../../../src/redis/keys.js';
import { redisStore, type RedisStore, type RedisStoreOptions } from '../../../src/redis/index.js';
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

/** Breakers leaving a replica, and successesToClose across the fleet, on each backend. */
export function lifecycleSuite(where: string, backend: () => RedisBackend): void {
  describe(`breakers leaving a replica, on ${where}`, () => {
    const fleets: Replica[][] = [];
    const stores: RedisStore[] = [];

    afterEach(async () => {
      await Promise.all(fleets.splice(0).map(closeAll));
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await backend().releaseClients();
    });

    async function startFleet(
      count: number,
      storeOptions: Omit<RedisStoreOptions, 'client' | 'url'>,
      breakerOptions: Omit<CircuitBreakerOptions, 'store'>,
    ): Promise<Replica[]> {
      const replicas = Array.from({ length: count }, () =>
        replica({ ...backend().connection(), ...storeOptions }, breakerOptions),
      );
      fleets.push(replicas);
      await waitFor(
        () => replicas.every((r) => r.store.status().connection === 'ready'),
        15_000,
        'every replica connected',
      );
      return replicas;
    }

    async function readyStore(prefix: string, flushMs = 50): Promise<RedisStore> {
      const store = redisStore({ ...backend().connection(), prefix, flushMs });
      stores.push(store);
      await waitFor(() => store.status().connection === 'ready', 15_000, 'the store to connect');
      return store;
    }

    const allIn = (replicas: readonly Replica[], state: string) => () =>
      replicas.every((r) => r.breaker.state === state);

    describe('redisStore: a disposed breaker leaves the replica', () => {
      it('its per-circuit state goes: no more batching, no more fleet messages; its last outcomes are merged, the fleet state stays', async () => {
        const prefix = uniquePrefix();
        const store = await readyStore(prefix, 10_000); // a flush that would only come much later
        const [other] = await startFleet(1, { prefix, flushMs: 50 }, { trip: consecutive(3) });
        const breaker = circuitBreaker({ name: 'svc', trip: consecutive(3), store });
        await breaker.execute(failing).catch(() => undefined);
        await breaker.execute(failing).catch(() => undefined);
        expect(store.status()).toMatchObject({ circuits: 1, pending: 1 });

        breaker.dispose();
        expect(store.status()).toMatchObject({ circuits: 0, pending: 0 });
        const keys = circuitKeys(prefix, 'svc');
        // Its two failures reached the fleet at once, not at a flush that will never come.
        await waitFor(
          async () => (await backend().admin.hget(keys.state, 'consecutive')) === '2',
          5_000,
          'the last batch to be merged',
        );
        await other!.breaker.execute(failing).catch(() => undefined);
        await waitFor(() => other!.breaker.state === 'open', 5_000, 'the fleet to open');
        expect(await backend().admin.hget(keys.state, 'snapshot')).toContain('"open"');

        // The fleet opened; the disposed breaker no longer hears of it, nor tells anything.
        await store.sync();
        expect(breaker.state).toBe('closed');
        await breaker.execute(failing).catch(() => undefined);
        expect(store.status()).toMatchObject({ circuits: 0, pending: 0 });
      });

      it('releases the probe claims it holds, so the fleet can probe at once', async () => {
        const prefix = uniquePrefix();
        const replicas = await startFleet(
          2,
          { prefix, flushMs: 50, probeTtlMs: 60_000 },
          { trip: consecutive(1), openMs: 200, halfOpen: { maxCalls: 1 } },
        );
        const [leaving, staying] = replicas as [Replica, Replica];
        await leaving.breaker.execute(failing).catch(() => undefined);
        await waitFor(allIn(replicas, 'open'), 5_000, 'the fleet to open');
        const openUntil = leaving.breaker.toJSON().openUntil!;
        await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');

        let started = false;
        void leaving.breaker.execute(() => {
          started = true;
          return new Promise<never>(() => undefined); // a probe that never settles
        });
        await waitFor(() => started, 5_000, 'the probe to start');
        const probes = circuitKeys(prefix, 'svc').probes;
        expect(await backend().admin.zcard(probes)).toBe(1);
        await expect(staying.breaker.execute(() => 'no')).rejects.toBeInstanceOf(CircuitOpenError);

        leaving.breaker.dispose();
        await waitFor(
          async () => (await backend().admin.zcard(probes)) === 0,
          5_000,
          'the claim to go',
        );
        await expect(staying.breaker.execute(() => 'probed')).resolves.toBe('probed');
        expect(staying.breaker.state).toBe('closed');
      });

      it('a new breaker under the name of a disposed one resumes the fleet state', async () => {
        const prefix = uniquePrefix();
        const store = await readyStore(prefix);
        const first = circuitBreaker({ name: 'svc', trip: consecutive(1), openMs: 60_000, store });
        await first.execute(failing).catch(() => undefined);
        await store.sync();
        first.dispose();
        const second = circuitBreaker({ name: 'svc', trip: consecutive(1), openMs: 60_000, store });
        await waitFor(() => second.state === 'open', 5_000, 'the state to come back from Redis');
        expect(store.status().circuits).toBe(1);
      });
    });

    describe('redisStore: successesToClose counts probe successes fleet-wide', () => {
      it('one successful probe on each of 3 replicas closes a breaker that needs 3', async () => {
        const replicas = await startFleet(
          3,
          { prefix: uniquePrefix(), flushMs: 50 },
          { trip: consecutive(1), openMs: 200, halfOpen: { maxCalls: 3, successesToClose: 3 } },
        );
        await replicas[0]!.breaker.execute(failing).catch(() => undefined);
        await waitFor(allIn(replicas, 'open'), 5_000, 'the fleet to open');
        const openUntil = replicas[0]!.breaker.toJSON().openUntil!;
        await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');

        const answers = await Promise.all(replicas.map((r) => r.breaker.execute(() => 'probed')));
        expect(answers).toEqual(['probed', 'probed', 'probed']);
        // No replica saw 3 successes itself; together they did.
        await waitFor(allIn(replicas, 'closed'), 5_000, 'the fleet to close');
        for (const r of replicas) {
          expect(r.breaker.toJSON()).toMatchObject({ state: 'closed', reason: 'probes-succeeded' });
        }
      });

      it('a failed probe anywhere reopens, and successes of an earlier half-open do not count', async () => {
        const prefix = uniquePrefix();
        const replicas = await startFleet(
          2,
          { prefix, flushMs: 50 },
          { trip: consecutive(1), openMs: 200, halfOpen: { maxCalls: 2, successesToClose: 2 } },
        );
        const [a, b] = replicas as [Replica, Replica];
        await a.breaker.execute(failing).catch(() => undefined);
        await waitFor(allIn(replicas, 'open'), 5_000, 'the fleet to open');
        let openUntil = a.breaker.toJSON().openUntil!;
        await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass');

        await expect(a.breaker.execute(() => 'probed')).resolves.toBe('probed');
        await b.breaker.execute(failing).catch(() => undefined);
        await waitFor(allIn(replicas, 'open'), 5_000, 'the fleet to reopen');
        openUntil = Math.max(a.breaker.toJSON().openUntil!, b.breaker.toJSON().openUntil!);
        await waitFor(openTimePassed(openUntil, 5), 5_000, 'the open time to pass again');

        // One success in this half-open: the one of the previous half-open is forgotten.
        await expect(b.breaker.execute(() => 'probed')).resolves.toBe('probed');
        const state = circuitKeys(prefix, 'svc').state;
        await waitFor(
          async () => (await backend().admin.hget(state, 'probeSuccesses')) === '1',
          5_000,
          'the success to be counted',
        );
        expect(a.breaker.state).not.toBe('closed');
        expect(b.breaker.state).toBe('half-open');
        await expect(a.breaker.execute(() => 'probed')).resolves.toBe('probed');
        await waitFor(allIn(replicas, 'closed'), 5_000, 'the fleet to close');
      });
    });
  });
}
