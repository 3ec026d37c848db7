import type { Clock } from '../core/clock.js';
import { fail, failChoice, numberOption } from '../core/option-checks.js';
import type { RedisClient } from './client.js';

/**
 * What a replica does while it cannot reach the shared state. `local` (default, fail open):
 * every breaker decides from its local state, half-open probes run on the local slot.
 * `strict` (fail closed): a half-open probe that cannot claim one of the fleet's `maxCalls`
 * slots is refused, so an open breaker stays open until Redis answers again — the fleet-wide
 * probe limit is never exceeded. Closed breakers keep serving under both.
 */
export type StoreUnavailablePolicy = 'local' | 'strict';
const POLICIES: readonly StoreUnavailablePolicy[] = ['local', 'strict'];

export interface RedisStoreOptions {
  /** An ioredis client (or Cluster) of yours; the store duplicates it for pub/sub and never quits it. */
  readonly client?: RedisClient;
  /** Or a Redis URL: the store creates its clients and quits them on `close()` (`undefined` counts as not given, so `process.env.REDIS_URL` fits). */
  readonly url?: string | undefined;
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
  /** What to do while Redis cannot be reached; see `StoreUnavailablePolicy`. Default `'local'`. */
  readonly onStoreUnavailable?: StoreUnavailablePolicy;
  /** Time source for the shared window and the probe claims; default `Date.now` (wall-clock time, shared by replicas). */
  readonly clock?: Clock;
}

export interface ResolvedRedisStoreOptions {
  readonly prefix: string;
  readonly flushMs: number;
  readonly resyncMs: number;
  readonly probeTtlMs: number;
  readonly commandTimeoutMs: number;
  readonly onStoreUnavailable: StoreUnavailablePolicy;
}

const OWNER = 'redisStore';
/** Every period is a whole number of milliseconds. */
const PERIOD_MS = { min: 1, integer: true } as const;

export function resolveOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  if ((options.client === undefined) === (options.url === undefined)) {
    throw new TypeError('redisStore: give exactly one of client (an ioredis client) or url');
  }
  if (options.url !== undefined && typeof options.url !== 'string') {
    fail(OWNER, 'url', 'a string', options.url);
  }
  const prefix = options.prefix ?? 'breakwater:';
  if (typeof prefix !== 'string') fail(OWNER, 'prefix', 'a string', prefix);
  const policy = options.onStoreUnavailable ?? 'local';
  if (!POLICIES.includes(policy)) failChoice(OWNER, 'onStoreUnavailable', POLICIES, policy);
  return {
    prefix,
    onStoreUnavailable: policy,
    flushMs: numberOption(OWNER, 'flushMs', options.flushMs, 100, PERIOD_MS),
    resyncMs: numberOption(OWNER, 'resyncMs', options.resyncMs, 5_000, PERIOD_MS),
    probeTtlMs: numberOption(OWNER, 'probeTtlMs', options.probeTtlMs, 30_000, PERIOD_MS),
    commandTimeoutMs: numberOption(
      OWNER,
      'commandTimeoutMs',
      options.commandTimeoutMs,
      1_000,
      PERIOD_MS,
    ),
  };
}
