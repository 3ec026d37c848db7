import { afterAll, beforeAll } from 'vitest';
import { serverBackend, type RedisBackend } from '../support/redis-backends.js';
import { sharedStoreSuite } from './suites/shared-store.js';

/** The shared store's suite on one real redis-server (the same cases run on a Cluster in cluster.test.ts). */
let backend: RedisBackend;
beforeAll(async () => {
  backend = await serverBackend();
});
afterAll(async () => {
  await backend.stop();
});

sharedStoreSuite('one redis-server', () => backend);
