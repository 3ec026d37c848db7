import { describe, expect, expectTypeOf, it } from 'vitest';
import { circuitBreaker, pipeline, type ChainEntry } from '../../src/core/index.js';
import { CircuitOpenError, PermanentError } from '../../src/core/errors/index.js';
import { LruStore } from '../../src/core/stale-cache/store.js';
import { staleCache } from '../../src/core/stale-cache/stale-cache.js';
import { ManualClock } from '../support/clock.js';

const fail =
  (error: unknown = new Error('upstream down')) =>
  (): Promise<string> =>
    Promise.reject(error);

describe('staleCache', () => {
  it('serves the last good answer when the call fails, marked as a fallback from the cache with its age', async () => {
    const clock = new ManualClock(5_000);
    const cache = staleCache<string>({ key: 'prices', ttlMs: 60_000, clock });
    const served: unknown[] = [];
    cache.onFallback((event) => served.push(event));
    await expect(cache.executeDetailed(() => 'v1')).resolves.toMatchObject({
      value: 'v1',
      fromFallback: false,
      source: 'primary',
    });
    clock.advance(1_500);
    const stale = await cache.executeDetailed(fail());
    expect(stale).toEqual({
      value: 'v1',
      fromFallback: true,
      source: 'cache',
      attempts: 1,
      durationMs: expect.any(Number) as number,
      ageMs: 1_500,
    });
    expect(served).toEqual([
      {
        source: 'cache',
        error: new Error('upstream down'),
        errors: [new Error('upstream down')],
        ageMs: 1_500,
      },
    ]);
  });

  it('serves it when the circuit is open', async () => {
    const cache = staleCache<string>({ key: 'llm', ttlMs: 1_000, clock: new ManualClock() });
    await cache.execute(() => 'answer');
    await expect(
      cache.executeDetailed(fail(new CircuitOpenError('llm', 'open', 30_000))),
    ).resolves.toMatchObject({ value: 'answer', fromFallback: true, source: 'cache', ageMs: 0 });
  });

  it('never serves an answer once ttlMs has passed, and forgets it', async () => {
    const clock = new ManualClock();
    const store = new LruStore(10);
    const cache = staleCache<string>({ key: 'k', ttlMs: 1_000, store, clock });
    await cache.execute(() => 'fresh');
    clock.advance(999);
    await expect(cache.execute(fail())).resolves.toBe('fresh');
    clock.advance(1);
    await expect(cache.execute(fail())).rejects.toThrow('upstream down');
    expect(store.size).toBe(0);
  });

  it('re-throws the original error when it has nothing for the key', async () => {
    const cache = staleCache<string>({ key: 'empty', ttlMs: 1_000 });
    const error = new Error('first call failed');
    await expect(cache.execute(() => Promise.reject(error))).rejects.toBe(error);
  });

  it('keeps at most maxEntries keys, evicting the least recently used', async () => {
    const clock = new ManualClock();
    const store = new LruStore(2);
    const cache = staleCache<string>({ key: 'letters', ttlMs: 60_000, store, clock });
    const a = cache.withKey('a');
    const b = cache.withKey('b');
    const c = cache.withKey('c');
    await a.execute(() => 'A');
    await b.execute(() => 'B');
    // Serving `a` makes it the most recently used, so `b` is evicted when `c` arrives.
    await expect(a.execute(fail())).resolves.toBe('A');
    await c.execute(() => 'C');
    expect(store.keys()).toEqual(['a', 'c']);
    await expect(b.execute(fail())).rejects.toThrow('upstream down');
    await expect(c.execute(fail())).resolves.toBe('C');
  });

  it('applies maxEntries to its default store', () => {
    const cache = staleCache<string>({
      ttlMs: 60_000,
      maxEntries: 1,
      key: (ctx) => `op:${ctx.attempt}`,
    });
    expect((cache.store as LruStore).maxEntries).toBe(1);
  });

  it('keys by a function of the context', async () => {
    const cache = staleCache<string>({ ttlMs: 60_000, key: (ctx) => `attempt-${ctx.attempt}` });
    await cache.execute(() => 'one');
    await expect(cache.withKey('attempt-1').execute(fail())).resolves.toBe('one');
  });

  it('does not serve errors that `on` excludes, nor a caller who has aborted', async () => {
    const cache = staleCache<string>({
      key: 'k',
      ttlMs: 60_000,
      on: (e) => !(e instanceof PermanentError),
    });
    await cache.execute(() => 'good');
    await expect(cache.execute(fail(new PermanentError('bad request')))).rejects.toThrow(
      'bad request',
    );
    const controller = new AbortController();
    const call = cache.execute(() => {
      controller.abort(new Error('left'));
      return Promise.reject(new Error('failed after the caller left'));
    }, controller.signal);
    await expect(call).rejects.toThrow('failed after the caller left');
  });

  it('validates its options', () => {
    expect(() => staleCache<string>({ key: 'k', ttlMs: 0 })).toThrow(
      new RangeError('staleCache: ttlMs must be a finite number > 0, got 0'),
    );
    expect(() => staleCache<string>({ key: 'k', ttlMs: 1, maxEntries: 0 })).toThrow(
      'staleCache: maxEntries must be an integer ≥ 1, got 0',
    );
    expect(() => staleCache<string>({ ttlMs: 1, key: '' })).toThrow(TypeError);
    expect(() => staleCache<string>({ key: 'k', ttlMs: 1 }).withKey('')).toThrow(TypeError);
    expect(() => staleCache<string>({ key: 'k', ttlMs: 1, serve: 'no' as never })).toThrow(
      'staleCache: serve must be a boolean, got "no"',
    );
  });

  it('requires a key: without one it throws a TypeError naming the option', () => {
    // @ts-expect-error -- `key` is required
    expect(() => staleCache<string>({ ttlMs: 1_000 })).toThrow(
      new TypeError(
        'staleCache: key must be a non-empty string or a function of the context, got undefined',
      ),
    );
  });

  it('two caches with their own keys on one store never read each other’s answers', async () => {
    const store = new LruStore(10);
    const clock = new ManualClock();
    const prices = staleCache<number>({ key: 'prices', ttlMs: 60_000, store, clock });
    const names = staleCache<string>({ key: 'names', ttlMs: 60_000, store, clock });
    await prices.execute(() => 42);
    await expect(names.execute(fail())).rejects.toThrow('upstream down');
    await names.execute(() => 'ada');
    await expect(prices.execute(() => Promise.reject(new Error('down')))).resolves.toBe(42);
    await expect(names.execute(fail())).resolves.toBe('ada');
    expect(store.keys().sort()).toEqual(['names', 'prices']);
  });

  it('is typed by the answers it keeps: only a function answering T fits, and it answers T', () => {
    const prices = staleCache<number>({ key: 'prices', ttlMs: 60_000 });
    expectTypeOf(prices.execute(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(prices.withKey('eur').execute(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(pipeline(prices, circuitBreaker()).execute(() => 1)).toEqualTypeOf<
      Promise<number>
    >();
    expectTypeOf(prices.asChainEntry({ priority: 1 })).toEqualTypeOf<ChainEntry<number>>();
    const untyped = staleCache({ key: 'untyped', ttlMs: 60_000 });
    const refused = [
      // @ts-expect-error -- a string does not fit a cache of numbers
      () => prices.execute(() => 'text'),
      // @ts-expect-error -- nor in a pipeline around it
      () => pipeline(prices, circuitBreaker()).execute(() => 'text'),
      // @ts-expect-error -- without T, no function fits
      () => untyped.execute(() => 1),
    ];
    expect(refused).toHaveLength(3);
  });
});
