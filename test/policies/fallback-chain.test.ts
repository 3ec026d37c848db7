import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { fallbackChain } from '../../src/core/fallback-chain/fallback-chain.js';
import { PermanentError, ServiceUnavailableError } from '../../src/core/errors/index.js';
import { pipeline } from '../../src/core/pipeline.js';
import { staleCache } from '../../src/core/stale-cache/stale-cache.js';
import { outcome } from '../support/promises.js';

interface Analysis {
  readonly label: string;
  readonly model: string;
}

const down = (what: string) => (): Promise<Analysis> =>
  Promise.reject(new ServiceUnavailableError(`${what} is down`));
const answer = (model: string) => (): Analysis => ({ label: 'apple', model });

describe('fallbackChain', () => {
  // Seed 003's chain for photo analysis: primary model → alternative model → cache → message.
  const tried: string[] = [];
  const track =
    (name: string, run: () => Analysis | Promise<Analysis>) => (): Analysis | Promise<Analysis> => {
      tried.push(name);
      return run();
    };

  it('tries the alternatives by ascending priority and reports which one answered', async () => {
    tried.length = 0;
    const chain = fallbackChain<Analysis>([
      { name: 'friendly-message', priority: 4, run: track('friendly-message', answer('none')) },
      { name: 'cached', priority: 3, run: track('cached', answer('cache')) },
      { name: 'alternative-model', priority: 2, run: track('alternative-model', down('alt')) },
    ]);
    expect(chain.entries.map((e) => e.name)).toEqual([
      'alternative-model',
      'cached',
      'friendly-message',
    ]);
    const result = await chain.executeDetailed(track('primary', down('primary')));
    expect(tried).toEqual(['primary', 'alternative-model', 'cached']);
    expect(result).toMatchObject({
      value: { label: 'apple', model: 'cache' },
      fromFallback: true,
      source: 'cached',
      attempts: 1,
    });

    tried.length = 0;
    const primary = await chain.executeDetailed(track('primary', answer('primary')));
    expect(tried).toEqual(['primary']);
    expect(primary).toMatchObject({ fromFallback: false, source: 'primary' });
  });

  it('runs seed 003’s chain with a stale cache as its "cached" step, reporting the cached answer’s age', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      // As a layer the cache only remembers the primary's answers; the chain serves them.
      const cache = staleCache<Analysis>({ key: 'vision', ttlMs: 60_000, serve: false });
      let alternativeUp = false;
      const tried: string[] = [];
      const chain = fallbackChain<Analysis>([
        {
          name: 'alternative-model',
          priority: 1,
          run: () => {
            tried.push('alternative-model');
            return alternativeUp ? answer('alternative')() : down('alternative')();
          },
        },
        cache.asChainEntry({ priority: 2, name: 'cached' }),
        { name: 'friendly-message', priority: 3, run: answer('none') },
      ]);
      const analyze = pipeline(chain, cache);
      await analyze.execute(answer('primary'));
      vi.advanceTimersByTime(2_500 - Date.now()); // time passes: the policies read a monotonic clock
      await expect(analyze.executeDetailed(down('primary'))).resolves.toMatchObject({
        value: { model: 'primary' },
        fromFallback: true,
        source: 'cached',
        ageMs: 2_500,
      });
      expect(tried).toEqual(['alternative-model']);
      alternativeUp = true;
      await expect(analyze.executeDetailed(down('primary'))).resolves.toMatchObject({
        value: { model: 'alternative' },
        source: 'alternative-model',
      });
      alternativeUp = false;
      vi.advanceTimersByTime(70_000 - Date.now()); // time passes: the policies read a monotonic clock
      const late = await analyze.executeDetailed(down('primary'));
      expect(late).toMatchObject({ value: { model: 'none' }, source: 'friendly-message' });
      expect(late).not.toHaveProperty('ageMs');
    } finally {
      vi.useRealTimers();
    }
  });

  it('serves the cache entry between the alternatives when the inner cache has nothing', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const cache = staleCache<Analysis>({ key: 'vision', ttlMs: 60_000 });
      await cache.execute(answer('remembered'));
      vi.advanceTimersByTime(1_000 - Date.now()); // time passes: the policies read a monotonic clock
      // Here the chain wraps the primary directly; its cached step reads the same cache.
      const chain = fallbackChain<Analysis>([
        { name: 'alternative-model', priority: 1, run: down('alternative') },
        cache.asChainEntry({ priority: 2, name: 'cached' }),
        { name: 'friendly-message', priority: 3, run: answer('none') },
      ]);
      await expect(chain.executeDetailed(down('primary'))).resolves.toMatchObject({
        value: { model: 'remembered' },
        fromFallback: true,
        source: 'cached',
        ageMs: 1_000,
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects with an AggregateError of every attempt, in order, when all fail', async () => {
    const chain = fallbackChain<Analysis>([
      { name: 'alternative-model', priority: 1, run: down('alt') },
      { name: 'cached', priority: 2, run: down('cache') },
    ]);
    const failed: string[] = [];
    chain.onAttemptFailed(({ source, attempt }) => failed.push(`${attempt}:${source}`));
    const result = await outcome(chain.execute(down('primary')));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(AggregateError);
    const aggregate = result.error as AggregateError;
    expect((aggregate.errors as Error[]).map((e) => e.message)).toEqual([
      'primary is down',
      'alt is down',
      'cache is down',
    ]);
    expect(aggregate.message).toContain('primary, alternative-model, cached');
    expect(failed).toEqual(['1:primary', '2:alternative-model', '3:cached']);
  });

  it('bounds the tries of one call with maxAttempts, the primary included', async () => {
    const runs: string[] = [];
    const entry = (name: string, priority: number) => ({
      name,
      priority,
      run: (): Promise<Analysis> => {
        runs.push(name);
        return down(name)();
      },
    });
    const chain = fallbackChain([entry('a', 1), entry('b', 2), entry('c', 3)], { maxAttempts: 2 });
    const result = await outcome(chain.execute(down('primary')));
    expect(runs).toEqual(['a']);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect((result.error as AggregateError).errors).toHaveLength(2);
      expect((result.error as AggregateError).message).toContain('maxAttempts 2 reached');
    }
  });

  it('passes the previous error and the context to each alternative', async () => {
    const seen: string[] = [];
    const chain = fallbackChain([
      {
        name: 'echo',
        priority: 1,
        run: (ctx, error) => {
          seen.push(`${(error as Error).message}@${ctx.attempt}`);
          return 'echoed';
        },
      },
    ]);
    await expect(chain.execute(() => Promise.reject(new Error('first')))).resolves.toBe('echoed');
    expect(seen).toEqual(['first@1']);
  });

  it('re-throws at once an error that `on` does not accept', async () => {
    let alternativeRan = false;
    const chain = fallbackChain(
      [
        {
          name: 'alt',
          priority: 1,
          run: () => {
            alternativeRan = true;
            return 'alt';
          },
        },
      ],
      { on: [ServiceUnavailableError] },
    );
    const permanent = new PermanentError('bad request');
    await expect(chain.execute(() => Promise.reject(permanent))).rejects.toBe(permanent);
    expect(alternativeRan).toBe(false);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    let alternativeRan = false;
    const chain = fallbackChain([
      {
        name: 'alt',
        priority: 1,
        run: () => {
          alternativeRan = true;
          return 'alt';
        },
      },
    ]);
    const call = chain.execute(() => {
      controller.abort(new Error('caller left'));
      return Promise.reject(new Error('primary failed'));
    }, controller.signal);
    await expect(call).rejects.toThrow('caller left');
    expect(alternativeRan).toBe(false);
  });

  it('types the alternatives against the protected function', async () => {
    const chain = fallbackChain([{ name: 'zero', priority: 1, run: () => 0 }]);
    const value = await chain.execute(() => 5);
    expectTypeOf(value).toEqualTypeOf<number>();
    // @ts-expect-error a chain of numbers cannot protect a function returning a string
    await chain.execute(() => 'five').catch(() => undefined);
  });

  it('validates its entries and options', () => {
    const run = (): number => 1;
    expect(() => fallbackChain([])).toThrow(
      'fallbackChain: entries must be a non-empty array of { name, run, priority }, got an array',
    );
    expect(() =>
      fallbackChain([
        { name: 'a', priority: 1, run },
        { name: 'a', priority: 2, run },
      ]),
    ).toThrow('fallbackChain: entries[1].name must be unique, got "a"');
    expect(() => fallbackChain([{ name: 'primary', priority: 1, run }])).toThrow(TypeError);
    expect(() => fallbackChain([{ name: 'a', priority: Number.NaN, run }])).toThrow(
      'fallbackChain: entries[0].priority must be a finite number, got NaN',
    );
    expect(() => fallbackChain([{ name: 'a', priority: 1, run }], { maxAttempts: 0 })).toThrow(
      new RangeError('fallbackChain: maxAttempts must be an integer ≥ 1, got 0'),
    );
  });
});
