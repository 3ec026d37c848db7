import type { Cluster, Redis } from 'ioredis';

/** The clients the store works with: one Redis, a Sentinel-backed Redis, or a Cluster. */
export type RedisClient = Redis | Cluster;
