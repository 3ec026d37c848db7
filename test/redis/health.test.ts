import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResilience } from '../../src/core/index.js';
import { redisStore } from '../../src/redis/index.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { uniquePrefix } from './helpers.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

describe("the orchestrator's health reports the Redis store (SPEC §6)", () => {
  it('shows the store ready, then unreachable while calls keep answering, then ready again', async () => {
    const store = redisStore({ url: server.url, prefix: uniquePrefix(), flushMs: 50 });
    const resilience = createResilience({ store });
    const lookup = resilience.wrap('lookup', (id: number) => Promise.resolve(id * 2));
    try {
      await waitFor(() => resilience.healthStatus().store?.connection === 'ready', 10_000, 'ready');
      expect(await lookup(1)).toBe(2);

      await server.stop();
      await waitFor(
        () => resilience.healthStatus().store?.connection === 'unreachable',
        10_000,
        'the store to be reported unreachable',
      );
      const health = resilience.healthStatus();
      expect(health.healthy).toBe(true); // breakers still decide locally
      expect(await lookup(21)).toBe(42);

      await server.restart();
      await waitFor(
        () => resilience.healthStatus().store?.connection === 'ready',
        15_000,
        'ready again',
      );
    } finally {
      await store.close();
    }
    expect(resilience.healthStatus().store?.connection).toBe('closed');
  });

  it('reports no store section when the store has nothing to report', () => {
    expect(createResilience().healthStatus()).not.toHaveProperty('store');
  });
});
