import { Registry } from 'prom-client';
import {
  circuitBreaker,
  type Resilience,
  type CircuitBreaker,
  type CircuitBreakerOptions,
} from '../../src/core/index.js';
import { systemClock } from '../../src/core/clock.js';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { redisStore, type RedisStore, type RedisStoreOptions } from '../../src/redis/index.js';
import { waitFor } from '../support/wait-for.js';

export const failing = (): Promise<never> =>
  Promise.reject(Object.assign(new Error('upstream down'), { status: 503 }));

/**
 * A condition for `waitFor`: the open time `openUntil` (a breaker's `toJSON().openUntil`, a
 * reading of its clock) has passed by `marginMs`, read on that same clock. `Date.now()` drifts
 * from it (NTP slews the wall clock, not the monotonic one breakers read): a run once saw the
 * wall clock 8 ms ahead, so a probe was still refused after `Date.now() > openUntil`.
 */
export const openTimePassed =
  (openUntil: number, marginMs = 0) =>
  (): boolean =>
    systemClock.now() > openUntil + marginMs;

let fleets = 0;
/** A prefix of its own for each fleet, so tests sharing one redis-server do not meet. */
export const uniquePrefix = (): string => `t${process.pid}-${++fleets}:`;

export interface Replica {
  readonly store: RedisStore;
  readonly breaker: CircuitBreaker;
  /** Every state change this replica saw: when, to what, and whether it came from the fleet. */
  readonly changes: { at: number; to: string; remote: boolean }[];
}

/** `count` replicas of one service: each its own store (own Redis clients) and breaker. */
export async function fleet(
  count: number,
  storeOptions: RedisStoreOptions,
  breakerOptions: Omit<CircuitBreakerOptions, 'store'>,
): Promise<Replica[]> {
  const replicas = Array.from({ length: count }, () => replica(storeOptions, breakerOptions));
  await waitFor(
    () => replicas.every((r) => r.store.status().connection === 'ready'),
    10_000,
    'every replica connected',
  );
  return replicas;
}

export function replica(
  storeOptions: RedisStoreOptions,
  breakerOptions: Omit<CircuitBreakerOptions, 'store'>,
): Replica {
  const store = redisStore(storeOptions);
  const breaker = circuitBreaker({ name: 'svc', ...breakerOptions, store });
  const changes: Replica['changes'] = [];
  breaker.onStateChange((change) => {
    changes.push({ at: Date.now(), to: change.to, remote: change.remote });
  });
  return { store, breaker, changes };
}

export async function closeAll(replicas: readonly Replica[]): Promise<void> {
  await Promise.all(replicas.map((r) => r.store.close()));
}

export { commandCount } from '../support/redis-backends.js';

/** The store's metrics as a scrape reads them: the Prometheus exporter on a registry of its own. */
export function scrapedStoreMetrics(resilience: Resilience) {
  const metrics = prometheusMetrics(resilience, { registry: new Registry() });
  const read = async (pattern: RegExp): Promise<number> =>
    Number(pattern.exec(await metrics.registry.metrics())?.[1] ?? Number.NaN);
  return {
    storeUp: () => read(/^breakwater_store_up (\d+)$/m),
    unshared: (decision: 'local' | 'refused') =>
      read(
        new RegExp(
          `^breakwater_store_unshared_probes_total\\{decision="${decision}"\\} (\\d+)$`,
          'm',
        ),
      ),
    close: () => metrics.close(),
  };
}
