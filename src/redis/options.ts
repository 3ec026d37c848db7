import type { Clock } from '../core/clock.js';
import type { RedisClient } from './scripts.js';

export interface RedisStoreOptions {
  /** An ioredis client (or Cluster) of yours; the store duplicates it for pub/sub and never quits it. */
  readonly client?: RedisClient;
  /** Or a Redis URL: the store creates its clients and quits them on `close()`. */
  readonly url?: string;
  /** Prefix of every key and of the pub/sub channel. Default `'breakwater:'`. */
  readonly prefix?: string;
  /** How often batched outcomes are merged into the shared window, in ms. Default 100. */
  readonly flushMs?: number;
  /** How often every breaker is re-read from Redis, as a backstop to pub/sub, in ms. Default 5,000. */
  readonly resyncMs?: number;
  /** How long a half-open probe claim lives when its replica never releases it, in ms. Default 30,000. */
  readonly probeTtlMs?: number;
  /**
   * How long a half-open probe claim waits for Redis before the replica decides alone, and
   * how long `close()` waits for commands in flight, in ms. Default 1,000.
   */
  readonly commandTimeoutMs?: number;
  /** Time source for the shared window and the probe claims; default `Date.now`. */
  readonly clock?: Clock;
}

export interface ResolvedRedisStoreOptions {
  readonly prefix: string;
  readonly flushMs: number;
  readonly resyncMs: number;
  readonly probeTtlMs: number;
  readonly commandTimeoutMs: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`redisStore: ${name} must be an integer ≥ 1 (ms), got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  if ((options.client === undefined) === (options.url === undefined)) {
    throw new TypeError('redisStore: give exactly one of client (an ioredis client) or url');
  }
  if (options.url !== undefined && typeof options.url !== 'string') {
    throw new TypeError(`redisStore: url must be a string, got ${typeof options.url}`);
  }
  const prefix = options.prefix ?? 'breakwater:';
  if (typeof prefix !== 'string') {
    throw new TypeError(`redisStore: prefix must be a string, got ${typeof prefix}`);
  }
  return {
    prefix,
    flushMs: positiveInteger('flushMs', options.flushMs, 100),
    resyncMs: positiveInteger('resyncMs', options.resyncMs, 5_000),
    probeTtlMs: positiveInteger('probeTtlMs', options.probeTtlMs, 30_000),
    commandTimeoutMs: positiveInteger('commandTimeoutMs', options.commandTimeoutMs, 1_000),
  };
}
