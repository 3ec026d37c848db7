import type { FallbackEvent } from '../outcome-events.js';
import { callerAbort } from '../call-context.js';
import type { Clock } from '../clock.js';
import { errorPredicate, type ErrorFilter } from '../error-filter.js';
import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import {
  booleanOption,
  checkClock,
  checkInteger,
  checkPositive,
  fail,
  checkOptions,
} from '../option-checks.js';
import {
  BasePolicy,
  RUN,
  invoke,
  markFallback,
  type Context,
  type ExecutionContext,
  type Operation,
  type TypedPolicy,
} from '../policy.js';
import type { ChainEntry } from '../fallback-chain/fallback-chain.js';
import { LruStore, type StaleCacheStore } from './store.js';

/** The cache key: fixed, or computed from the call's context (e.g. its `operation`). */
export type CacheKey = string | ((ctx: Context) => string);

export interface StaleCacheOptions {
  /**
   * Required: the key the answers are kept under (`withKey(k)` for per-argument keys). One key
   * holds the answers of one function, so two caches must not share one.
   */
  readonly key: CacheKey;
  /** How long an answer may be served after it was stored (a finite number > 0); never after. */
  readonly ttlMs: number;
  /** Keys kept by the default in-memory store, least recently used evicted (integer ≥ 1); default 1000. */
  readonly maxEntries?: number;
  /** Where answers are kept; default an in-memory LRU of `maxEntries`. */
  readonly store?: StaleCacheStore;
  /** Which errors a cached answer may replace; default: every error (an open circuit included). */
  readonly on?: ErrorFilter;
  /**
   * Whether the cache, as a layer, serves its answers when the call fails (default true).
   * `false`: it only remembers them, and serves them as a fallback chain's step (`asChainEntry`).
   */
  readonly serve?: boolean;
  readonly clock?: Clock;
}

export interface StaleCacheEvents {
  /** A cached answer `ageMs` old was served in place of `error`. */
  fallback: FallbackEvent;
}

/**
 * Remembers the last good answer per key and serves it, marked as a fallback from `'cache'`
 * with its age, when the call fails or the circuit is open — for at most `ttlMs`. It only
 * protects functions whose result fits `T`, so what it gives back is what it was given.
 */
export interface StaleCache<T> extends TypedPolicy<T> {
  readonly ttlMs: number;
  readonly store: StaleCacheStore;
  onFallback(listener: Listener<StaleCacheEvents['fallback']>): Unsubscribe;
  /** A view of this cache (same store, same events) whose calls use `key`. */
  withKey(key: string): TypedPolicy<T>;
  /**
   * This cache as an entry of a fallback chain (seed 003's "cached" step, between the
   * alternative model and the friendly message): it answers with the remembered value while
   * it is younger than `ttlMs`, reporting its age, and otherwise fails with the error before it.
   * The chain must protect the function whose answers this cache remembers.
   */
  asChainEntry(options: {
    readonly priority: number;
    readonly name?: string;
    readonly key?: string;
  }): ChainEntry<T>;
}

class StaleCachePolicy<T> extends BasePolicy {
  readonly ttlMs: number;
  readonly store: StaleCacheStore;
  private readonly key: CacheKey;
  private readonly accepts: ((error: unknown) => boolean) | undefined;
  private readonly servesAsLayer: boolean;
  private events: EventHub<StaleCacheEvents> | undefined;

  constructor(options: StaleCacheOptions) {
    super(checkClock('staleCache', checkOptions('staleCache', options).clock));
    const key = options.key;
    if (!(typeof key === 'function' || (typeof key === 'string' && key !== ''))) {
      fail('staleCache', 'key', 'a non-empty string or a function of the context', key);
    }
    this.key = key;
    this.ttlMs = checkPositive('staleCache', 'ttlMs', options.ttlMs);
    const maxEntries = checkInteger('staleCache', 'maxEntries', options.maxEntries ?? 1000, 1);
    const store = options.store ?? new LruStore(maxEntries);
    if (typeof store.get !== 'function' || typeof store.set !== 'function') {
      fail('staleCache', 'store', 'an object with get, set and delete methods', store);
    }
    this.store = store;
    this.accepts = errorPredicate('staleCache', 'on', options.on);
    this.servesAsLayer = booleanOption('staleCache', 'serve', options.serve, true);
  }

  onFallback(listener: Listener<StaleCacheEvents['fallback']>): Unsubscribe {
    return (this.events ??= new EventHub()).on('fallback', listener);
  }

  withKey(key: string): StaleCacheView<T> {
    if (typeof key !== 'string' || key === '') {
      fail('staleCache', 'withKey(key)', 'a non-empty string', key);
    }
    return new StaleCacheView(this, key, this.clock);
  }

  asChainEntry(options: {
    readonly priority: number;
    readonly name?: string;
    readonly key?: string;
  }): ChainEntry<T> {
    const fixedKey = options.key;
    return {
      name: options.name ?? 'cache',
      priority: options.priority,
      run: (ctx, error) =>
        this.serve<T>(error, fixedKey ?? this.keyOf(ctx), ctx as ExecutionContext),
    };
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    return this.runWithKey(fn, ctx, this.keyOf(ctx));
  }

  private keyOf(ctx: Context): string {
    const key = this.key;
    return typeof key === 'string' ? key : key(ctx);
  }

  /** @internal Shared by the views made by `withKey`. */
  runWithKey<T>(fn: Operation<T>, ctx: ExecutionContext, key: string): Promise<T> {
    // A stream is read once: there is no answer to keep for later, so a streaming call
    // (executeStream) passes through, neither remembered nor served.
    if (ctx.streamOpener !== undefined) return invoke(fn, ctx);
    return invoke(fn, ctx).then(
      (value) => {
        this.store.set(key, { value, storedAt: this.clock.now() });
        return value;
      },
      (error: unknown) => {
        if (!this.servesAsLayer) throw error;
        return this.serve<T>(error, key, ctx);
      },
    );
  }

  private serve<T>(error: unknown, key: string, ctx: ExecutionContext): T {
    if (callerAbort(ctx) !== undefined || (this.accepts !== undefined && !this.accepts(error)))
      throw error;
    const entry = this.store.get(key);
    if (entry === undefined) throw error;
    const ageMs = this.clock.now() - entry.storedAt;
    // A negative age is a clock that stepped back since: the entry's age is unknown, so stale.
    if (ageMs >= this.ttlMs || ageMs < 0) {
      this.store.delete(key);
      throw error;
    }
    markFallback(ctx, 'cache', ageMs);
    this.events?.emit('fallback', { source: 'cache', error, errors: [error], ageMs });
    // Only a function answering `T` stores under this cache's keys (its type says so), and
    // each key is given explicitly: the store, untyped, holds a `T` here.
    return entry.value as T;
  }
}

/** `staleCache.withKey(key)`: the same cache, with a fixed key for the calls made through it. */
class StaleCacheView<T> extends BasePolicy {
  constructor(
    private readonly cache: StaleCachePolicy<T>,
    readonly key: string,
    clock: Clock,
  ) {
    super(clock);
  }

  [RUN]<T>(fn: Operation<T>, ctx: ExecutionContext): Promise<T> {
    return this.cache.runWithKey(fn, ctx, this.key);
  }
}

/** What a stale cache whose type was not given keeps: no function's answer fits it. */
export interface StaleCacheTypeNotGiven {
  readonly 'staleCache<T>(…): name T, the type of the answers it keeps': never;
}

/**
 * A stale-cache fallback: serves the last good answer (younger than `ttlMs`) when a call
 * fails. `T` is the type of the answers it keeps: until it is given, no function fits.
 */
export function staleCache<T = StaleCacheTypeNotGiven>(options: StaleCacheOptions): StaleCache<T> {
  return new StaleCachePolicy<T>(options);
}
