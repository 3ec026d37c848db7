import { afterAll, beforeAll } from 'vitest';
import { serverBackend, type RedisBackend } from '../support/redis-backends.js';
import { staleCacheSuite } from './suites/stale-cache.js';

/** The shared stale cache on one real redis-server (and on a Cluster in cluster.test.ts). */
let backend: RedisBackend;
beforeAll(async () => {
  backend = await serverBackend();
});
afterAll(async () => {
  await backend.stop();
});

staleCacheSuite('one redis-server', () => backend);
