import { afterAll, beforeAll } from 'vitest';
import { serverBackend, type RedisBackend } from '../support/redis-backends.js';
import { lifecycleSuite } from './suites/lifecycle.js';

/** Breakers leaving a replica, on one real redis-server (and on a Cluster in cluster.test.ts). */
let backend: RedisBackend;
beforeAll(async () => {
  backend = await serverBackend();
});
afterAll(async () => {
  await backend.stop();
});

lifecycleSuite('one redis-server', () => backend);
