import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  consecutive,
  memoryStore,
  type CircuitStore,
  type StoreLink,
  type StoredCircuit,
} from '../../src/core/index.js';
import { fileStore } from '../../src/node/index.js';
import { redisStore } from '../../src/redis/index.js';
import { ManualClock } from '../support/clock.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The store contract, for every store: a probe claim refused because the fleet already
 * holds a newer `closed` state (another replica's probes closed it) must not reject the
 * call; the breaker takes the state and the call runs in it. The fake wraps a real store
 * and plays the other replica inside `claimProbe`.
 */
function closedElsewhere(inner: CircuitStore): CircuitStore {
  return {
    attach(circuit: StoredCircuit): StoreLink {
      const link = inner.attach(circuit);
      return {
        ...link,
        claimProbe: () => {
          const now = circuit.toJSON();
          circuit.adopt({
            ...now,
            state: 'closed',
            version: now.version + 1,
            openUntil: null,
            opens: 0,
            reason: 'probes-succeeded',
          });
          return Promise.resolve(undefined);
        },
      };
    },
    close: () => inner.close(),
  };
}

let redis: RedisServer;
let dir: string;
beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'breakwater-contract-'));
});
afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const stores: [string, () => CircuitStore][] = [
  ['memory', () => memoryStore()],
  ['file', () => fileStore(join(dir, `state-${Math.random()}.json`))],
  ['redis', () => redisStore({ url: redis.url, prefix: `contract-${Math.random()}:` })],
];

describe.each(stores)('%s store: a refused claim with a newer closed state', (_name, make) => {
  it('runs the call in the closed state instead of rejecting it', async () => {
    const inner = make();
    const clock = new ManualClock();
    const breaker = circuitBreaker({
      name: 'contract',
      trip: consecutive(1),
      openMs: 1_000,
      clock,
      store: closedElsewhere(inner),
    });
    if (inner.status !== undefined) {
      await waitFor(() => inner.status?.().connection === 'ready', 10_000, 'store ready');
    }
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    clock.advance(1_000);
    await expect(breaker.execute(() => Promise.resolve('answered'))).resolves.toBe('answered');
    expect(breaker.state).toBe('closed');
    breaker.dispose();
    await inner.close();
  });
});
