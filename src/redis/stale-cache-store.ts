import { randomUUID } from 'node:crypto';
import { LruStore, type CacheEntry, type StaleCacheStore } from '../core/stale-cache/store.js';
import { fail, numberOption } from '../core/option-checks.js';
import { unrefTimer } from '../core/timers.js';
import { openClients, quit, type RedisClient } from './client.js';

export interface RedisStaleCacheOptions {
  /** An ioredis client (or Cluster) of yours; duplicated for pub/sub, never quit. */
  readonly client?: RedisClient;
  /** Or a Redis URL: the store creates its clients and quits them on `close()`. */
  readonly url?: string;
  /** Prefix of every key and of the channel. Default `'breakwater:cache:'`. */
  readonly prefix?: string;
  /** How long Redis keeps an answer, in ms (use the cache's `ttlMs`). */
  readonly ttlMs: number;
  /** Answers kept, here and in Redis (the least recently stored go first). Default 1,000. */
  readonly maxEntries?: number;
  /** New answers are written at most this often per key, in ms. Default 100. */
  readonly flushMs?: number;
}

export interface RedisStaleCacheStore extends StaleCacheStore {
  /** Resolves once the answers Redis already held are loaded here. */
  readonly loaded: Promise<void>;
  /** Answers written to Redis, received from other replicas, and writes that failed. */
  stats(): { readonly written: number; readonly received: number; readonly failed: number };
  close(): Promise<void>;
}

/**
 * Stores the answer, indexes it by time and trims the index to `maxEntries`, all in one slot
 * (every key carries the `{cache}` hash tag, so Redis Cluster runs it), then tells the fleet.
 * KEYS: the index; ARGV: prefix, maxEntries, ttlMs, channel, now, then (key, json, storedAt)…
 */
const writeScript = `
local prefix, max, ttl, channel, now = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5])
for i = 6, #ARGV, 3 do
  redis.call('SET', prefix .. ARGV[i], ARGV[i + 1], 'PX', ttl)
  redis.call('ZADD', KEYS[1], ARGV[i + 2], ARGV[i])
  redis.call('PUBLISH', channel, ARGV[i + 1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - tonumber(ttl)))
local extra = redis.call('ZCARD', KEYS[1]) - max
if extra > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[1], 0, extra - 1)) do redis.call('DEL', prefix .. old) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;

/** What travels on the channel and sits in Redis: the entry, its key, and who wrote it. */
interface Shared {
  readonly key: string;
  readonly value: unknown;
  readonly storedAt: number;
  readonly from: string;
}

function parseShared(raw: unknown): Shared | undefined {
  if (typeof raw !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const s = parsed as Partial<Shared>;
  if (typeof s.key !== 'string' || typeof s.storedAt !== 'number' || !('value' in s)) {
    return undefined;
  }
  return parsed as Shared;
}

type WriteCall = (index: string, ...args: string[]) => Promise<unknown>;
const OWNER = 'redisStaleCacheStore';

class RedisStaleCache implements RedisStaleCacheStore {
  readonly loaded: Promise<void>;
  private readonly local: LruStore;
  private readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly index: string;
  private readonly channel: string;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly flushMs: number;
  private readonly replica = randomUUID();
  private readonly write: WriteCall;
  /** Newest answer per key since the last flush: a hot key costs one write per flush. */
  private pending = new Map<string, { json: string; storedAt: number }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<unknown> = Promise.resolve();
  private closed = false;
  private counts = { written: 0, received: 0, failed: 0 };

  constructor(options: RedisStaleCacheOptions) {
    if ((options.client === undefined) === (options.url === undefined)) {
      throw new TypeError(`${OWNER}: give exactly one of client (an ioredis client) or url`);
    }
    const prefix = options.prefix ?? 'breakwater:cache:';
    if (typeof prefix !== 'string') fail(OWNER, 'prefix', 'a string', prefix);
    this.ttlMs = numberOption(OWNER, 'ttlMs', options.ttlMs, Number.NaN, { min: 1, integer: true });
    this.maxEntries = numberOption(OWNER, 'maxEntries', options.maxEntries, 1_000, {
      min: 1,
      integer: true,
    });
    this.flushMs = numberOption(OWNER, 'flushMs', options.flushMs, 100, { min: 1, integer: true });
    this.prefix = `${prefix}{cache}:`;
    this.index = `${this.prefix}index`;
    this.channel = `${prefix}{cache}:answers`;
    this.local = new LruStore(this.maxEntries);
    ({
      client: this.client,
      subscriber: this.subscriber,
      ownsClient: this.ownsClient,
    } = openClients(options.client, options.url));
    const name = 'breakwater_cache_write_v1';
    const methods = this.client as unknown as Record<string, WriteCall | undefined>;
    if (typeof methods[name] !== 'function') {
      this.client.defineCommand(name, { numberOfKeys: 1, lua: writeScript });
    }
    this.write = methods[name]!.bind(this.client);
    this.subscriber.on('error', () => undefined);
    this.client.on('error', () => undefined);
    this.subscriber.on('message', (channel: unknown, message: unknown) => {
      if (channel === this.channel) this.receive(parseShared(message));
    });
    this.loaded = this.subscriber
      .subscribe(this.channel)
      .then(() => this.load())
      .catch(() => undefined);
  }

  get(key: string): CacheEntry | undefined {
    return this.local.get(key);
  }

  /** Called by the stale cache with answers of successful calls only. */
  set(key: string, entry: CacheEntry): void {
    this.local.set(key, entry);
    if (this.closed) return;
    let json: string;
    try {
      json = JSON.stringify({
        key,
        value: entry.value,
        storedAt: entry.storedAt,
        from: this.replica,
      });
    } catch {
      return; // not JSON (a BigInt, a cycle): it stays in this replica only
    }
    this.pending.set(key, { json, storedAt: entry.storedAt });
    this.timer ??= unrefTimer(setTimeout(this.flush, this.flushMs));
  }

  /** An expired answer: gone here; Redis drops its copy by TTL. */
  delete(key: string): void {
    this.local.delete(key);
  }

  stats() {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.flush();
    await this.inFlight;
    await quit(this.subscriber);
    if (this.ownsClient) await quit(this.client);
  }

  private readonly flush = (): void => {
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const now = Math.max(...[...this.pending.values()].map((p) => p.storedAt));
    const args = [
      this.prefix,
      String(this.maxEntries),
      String(this.ttlMs),
      this.channel,
      String(now),
    ];
    for (const [key, { json, storedAt }] of this.pending) args.push(key, json, String(storedAt));
    const written = this.pending.size;
    this.pending = new Map();
    // One write at a time: the next flush waits for this one, so they never overlap.
    this.inFlight = this.inFlight
      .then(() => this.write(this.index, ...args))
      .then(
        () => {
          this.counts.written += written;
        },
        () => {
          this.counts.failed += written;
        },
      );
  };

  private receive(shared: Shared | undefined): void {
    if (shared === undefined || shared.from === this.replica) return;
    const known = this.local.get(shared.key);
    if (known !== undefined && known.storedAt >= shared.storedAt) return;
    this.local.set(shared.key, { value: shared.value, storedAt: shared.storedAt });
    this.counts.received++;
  }

  /** The newest `maxEntries` answers Redis holds, oldest first so the newest end up most recent. */
  private async load(): Promise<void> {
    const keys = await this.client.zrevrange(this.index, 0, this.maxEntries - 1);
    if (keys.length === 0) return;
    const values = await this.client.mget(...keys.map((key) => this.prefix + key));
    for (const raw of values.reverse()) this.receive(parseShared(raw));
  }
}

/**
 * A `StaleCacheStore` shared through Redis: every replica (and gateway process) serves the
 * fleet's last good answers. Reads stay local and synchronous; answers of successful calls
 * are written at most once per key per `flushMs`, kept in Redis for `ttlMs` (bounded to
 * `maxEntries`), and fanned out over pub/sub; a new replica loads what Redis holds.
 */
export function redisStaleCacheStore(options: RedisStaleCacheOptions): RedisStaleCacheStore {
  return new RedisStaleCache(options);
}
