export { redisStore } from './store.js';
export type { RedisStore, RedisStoreConnection, RedisStoreStatus } from './store.js';
export type { RedisStoreOptions, StoreUnavailablePolicy } from './options.js';
export { redisStaleCacheStore } from './stale-cache-store.js';
export type { RedisStaleCacheOptions, RedisStaleCacheStore } from './stale-cache-store.js';
