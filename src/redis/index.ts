export { redisStore } from './store.js';
export type { RedisStore, RedisStoreConnection, RedisStoreStatus } from './store.js';
export type { RedisStoreOptions, StoreUnavailablePolicy } from './options.js';
