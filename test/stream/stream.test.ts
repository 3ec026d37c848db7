import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  FirstChunkTimeoutError,
  StreamInterruptedError,
  TimeoutError,
  circuitBreaker,
  constant,
  consecutive,
  fallback,
  fallbackChain,
  hedge,
  isStreamInterruptedError,
  pipeline,
  retry,
  staleCache,
  stream,
  timeout,
} from '../../src/core/index.js';
import type { Context } from '../../src/core/index.js';
import { outcome } from '../support/promises.js';
import { drain, fakeStream, iterate, newLog } from './sources.js';

const isDone = (chunk: string): boolean => chunk === 'done';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Drains `iterable` while fake time runs every timer. */
async function run<T>(iterable: AsyncIterable<T>) {
  const drained = drain(iterable);
  await vi.runAllTimersAsync();
  return drained;
}

describe('executeStream: before the first chunk, a failure is the call’s', () => {
  it('passes every chunk through and ends cleanly', async () => {
    const log = newLog();
    const policy = pipeline(retry({ maxAttempts: 2 }), stream({ idleMs: 50, isComplete: isDone }));
    const result = await run(
      policy.executeStream(fakeStream({ chunks: 4, gapMs: 10, marksEnd: true }, log)),
    );
    expect(result).toEqual({ chunks: ['c1', 'c2', 'c3', 'done'] });
    expect(log).toMatchObject({ opened: 1, closed: 1 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('retries an error thrown before the first chunk; the consumer gets the whole answer', async () => {
    const log = newLog();
    let calls = 0;
    const healthy = fakeStream({ chunks: 3, marksEnd: true }, log);
    const policy = pipeline(
      retry({ maxAttempts: 3, backoff: constant(100) }),
      stream({ isComplete: isDone }),
    );
    const result = await run(
      policy.executeStream((ctx) => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('503'));
        return healthy(ctx);
      }),
    );
    expect(result).toEqual({ chunks: ['c1', 'c2', 'done'] });
    expect(calls).toBe(2);
  });

  it('moves to the next attempt when no first chunk comes within firstChunkMs', async () => {
    const log = newLog();
    let calls = 0;
    const slow = fakeStream({ chunks: 2, firstMs: 5_000 }, log);
    const quick = fakeStream({ chunks: 2, gapMs: 10 }, log);
    const policy = pipeline(
      retry({ maxAttempts: 2, backoff: constant(0) }),
      stream({ firstChunkMs: 1_000 }),
    );
    const result = await run(
      policy.executeStream((ctx) => (++calls === 1 ? slow(ctx) : quick(ctx))),
    );
    expect(result).toEqual({ chunks: ['c1', 'c2'] });
    expect(calls).toBe(2);
    expect(log.signals[0]?.aborted).toBe(true);
    expect(log.signals[0]?.reason).toBeInstanceOf(FirstChunkTimeoutError);
    expect(log.closed).toBe(2);
  });

  it('hands the call to a fallback whose stream answers instead', async () => {
    const log = newLog();
    const policy = pipeline(
      fallback({
        to: () =>
          fakeStream({ chunks: 2 }, log)({ signal: new AbortController().signal, attempt: 1 }),
      }),
      stream({ firstChunkMs: 100 }),
    );
    const result = await run(policy.executeStream(fakeStream({ chunks: 2, firstMs: 1_000 }, log)));
    expect(result).toEqual({ chunks: ['c1', 'c2'] });
    expect(log.opened).toBe(2);
  });

  it('moves down a fallback chain when the primary gives no first chunk', async () => {
    const log = newLog();
    const chain = fallbackChain([
      { name: 'backup', priority: 1, run: (ctx) => fakeStream({ chunks: 1 }, log)(ctx) },
    ]);
    const policy = pipeline(chain, stream({ firstChunkMs: 100 }));
    const result = await run(policy.executeStream(fakeStream({ chunks: 1, firstMs: 1_000 }, log)));
    expect(result).toEqual({ chunks: ['c1'] });
    expect(log).toMatchObject({ opened: 2, closed: 2 });
  });

  it('moves on down the chain when an alternative’s stream fails before its first chunk', async () => {
    const log = newLog();
    const tried: string[] = [];
    const chain = fallbackChain([
      {
        name: 'broken',
        priority: 1,
        run: (ctx) => fakeStream({ chunks: 0, then: 'throw' }, log)(ctx),
      },
      {
        name: 'silent',
        priority: 2,
        run: (ctx) => fakeStream({ chunks: 1, firstMs: 5_000 }, log)(ctx),
      },
      { name: 'backup', priority: 3, run: (ctx) => fakeStream({ chunks: 2 }, log)(ctx) },
    ]);
    chain.onAttemptFailed((event) => tried.push(event.source));
    const answered: string[] = [];
    chain.onFallback((event) => answered.push(event.source));
    const policy = pipeline(chain, stream({ firstChunkMs: 100 }));
    const result = await run(policy.executeStream(() => Promise.reject(new Error('primary down'))));
    expect(result).toEqual({ chunks: ['c1', 'c2'] });
    expect(tried).toEqual(['primary', 'broken', 'silent']);
    expect(answered).toEqual(['backup']);
    // The silent alternative was stopped at firstChunkMs: its signal aborted, its source closed.
    expect(log.signals[1]?.reason).toBeInstanceOf(FirstChunkTimeoutError);
    expect(log).toMatchObject({ opened: 3, closed: 3 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails with every try when no alternative of the chain delivers a first chunk', async () => {
    const log = newLog();
    const chain = fallbackChain([
      { name: 'a', priority: 1, run: (ctx) => fakeStream({ chunks: 1, firstMs: 5_000 }, log)(ctx) },
      { name: 'b', priority: 2, run: () => Promise.reject(new Error('b down')) },
    ]);
    const policy = pipeline(chain, stream({ firstChunkMs: 100 }));
    const result = await run(policy.executeStream(() => Promise.reject(new Error('primary down'))));
    expect(result.chunks).toEqual([]);
    expect(result.error).toBeInstanceOf(AggregateError);
    const errors = (result.error as AggregateError).errors;
    expect(errors.map((error: Error) => error.message)).toEqual([
      'primary down',
      expect.stringMatching(/first chunk/i),
      'b down',
    ]);
    expect(errors[1]).toBeInstanceOf(FirstChunkTimeoutError);
    expect(log).toMatchObject({ opened: 1, closed: 1 });
  });

  it('lets a retry around a fallback try again when the fallback’s stream fails before its first chunk', async () => {
    const log = newLog();
    let primaryCalls = 0;
    let fallbackCalls = 0;
    const policy = pipeline(
      retry({ maxAttempts: 2, backoff: constant(0), retryOn: () => true }),
      fallback({
        to: (_error, ctx) =>
          fakeStream({ chunks: ++fallbackCalls === 1 ? 0 : 1, then: 'throw' }, log)(ctx),
      }),
      stream(),
    );
    const result = await run(
      policy.executeStream((ctx) =>
        ++primaryCalls === 1
          ? Promise.reject(new Error('primary down'))
          : fakeStream({ chunks: 2 }, log)(ctx),
      ),
    );
    expect(result).toEqual({ chunks: ['c1', 'c2'] });
    expect({ primaryCalls, fallbackCalls }).toEqual({ primaryCalls: 2, fallbackCalls: 1 });
  });

  it('gives the fallback’s stream its own signal, aborted when the consumer stops', async () => {
    const log = newLog();
    const policy = pipeline(
      fallback({ to: (_error, ctx) => fakeStream({ chunks: 5, gapMs: 10 }, log)(ctx) }),
      stream(),
    );
    const iterator = iterate(policy.executeStream(() => Promise.reject(new Error('down'))));
    const first = iterator.next();
    await vi.advanceTimersByTimeAsync(10);
    expect(await first).toEqual({ value: 'c1', done: false });
    await iterator.return?.();
    expect(log.signals[0]?.aborted).toBe(true);
    expect(log.closed).toBe(1);
  });

  it('bounds a fallback’s first chunk by a timeout around it', async () => {
    const log = newLog();
    const policy = pipeline(
      timeout(100),
      fallback({ to: (_error, ctx) => fakeStream({ chunks: 1, firstMs: 1_000 }, log)(ctx) }),
      stream(),
    );
    const result = await run(policy.executeStream(() => Promise.reject(new Error('down'))));
    expect(result.error).toBeInstanceOf(TimeoutError);
    expect(log.signals[0]?.aborted).toBe(true);
    expect(log.closed).toBe(1);
  });

  it('passes a stream through a stale cache, which keeps nothing of it to serve later', async () => {
    const log = newLog();
    const cache = staleCache({ key: 'chat', ttlMs: 60_000 });
    const policy = pipeline(cache, stream());
    expect((await run(policy.executeStream(fakeStream({ chunks: 2 }, log)))).chunks).toHaveLength(
      2,
    );
    expect(cache.store.get('chat')).toBeUndefined();
    const failed = await run(policy.executeStream(() => Promise.reject(new Error('down'))));
    expect(failed.error).toMatchObject({ message: 'down' });
  });

  it('lets a timeout bound the time to the first chunk, not the whole stream', async () => {
    const log = newLog();
    const policy = pipeline(timeout(100), stream({ idleMs: 1_000 }));
    const slowStart = await run(policy.executeStream(fakeStream({ chunks: 1, firstMs: 500 }, log)));
    expect(slowStart.error).toBeInstanceOf(TimeoutError);
    const longStream = await run(policy.executeStream(fakeStream({ chunks: 10, gapMs: 50 }, log)));
    expect(longStream.chunks).toHaveLength(10);
    expect(longStream.error).toBeUndefined();
  });

  it('lets a hedge race first chunks; the loser’s source is closed', async () => {
    const log = newLog();
    let calls = 0;
    const policy = pipeline(hedge({ delayMs: 100 }), stream());
    const result = await run(
      policy.executeStream((ctx) =>
        ++calls === 1
          ? fakeStream({ chunks: 2, firstMs: 1_000 }, log)(ctx)
          : fakeStream({ chunks: 2 }, log)(ctx),
      ),
    );
    expect(result).toEqual({ chunks: ['c1', 'c2'] });
    expect(log.signals[0]?.aborted).toBe(true);
    expect(log.closed).toBe(2);
  });

  it('lets a hedge answer when the first attempt’s stream fails before its first chunk', async () => {
    const log = newLog();
    let calls = 0;
    const policy = pipeline(hedge({ delayMs: 100 }), stream({ firstChunkMs: 50 }));
    const result = await run(
      policy.executeStream((ctx) =>
        ++calls === 1
          ? fakeStream({ chunks: 1, firstMs: 1_000 }, log)(ctx)
          : fakeStream({ chunks: 2 }, log)(ctx),
      ),
    );
    expect(result).toEqual({ chunks: ['c1', 'c2'] });
    expect(calls).toBe(2);
    expect(log.signals[0]?.reason).toBeInstanceOf(FirstChunkTimeoutError);
    expect(log).toMatchObject({ opened: 2, closed: 2 });
  });

  it('counts an empty stream as a failed attempt when completeness is asked for', async () => {
    const log = newLog();
    let calls = 0;
    const policy = pipeline(
      retry({ maxAttempts: 2, backoff: constant(0) }),
      stream({ isComplete: isDone }),
    );
    const result = await run(
      policy.executeStream((ctx) =>
        fakeStream({ chunks: ++calls === 1 ? 0 : 1, marksEnd: true }, log)(ctx),
      ),
    );
    expect(result).toEqual({ chunks: ['done'] });
    expect(calls).toBe(2);
  });

  it('fails the attempt, and retries, when a source’s first next() answers no iterator result', async () => {
    let calls = 0;
    let closed = 0;
    const broken: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve(undefined as unknown as IteratorResult<string>),
        return: () => {
          closed++;
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    };
    const policy = pipeline(retry({ maxAttempts: 2, backoff: constant(0) }), stream({}));
    const result = await run(
      policy.executeStream((ctx) =>
        ++calls === 1 ? broken : fakeStream({ chunks: 1 }, newLog())(ctx),
      ),
    );
    expect(result.chunks).toHaveLength(1);
    expect(result.error).toBeUndefined();
    expect(calls).toBe(2);
    expect(closed).toBe(1);
  });

  it('opens a source given as a promise of one', async () => {
    const result = await run(
      retry().executeStream((ctx) => Promise.resolve(fakeStream({ chunks: 2 }, newLog())(ctx))),
    );
    expect(result.chunks).toHaveLength(2);
  });

  it('ends an empty stream cleanly when no completeness is asked for', async () => {
    const result = await run(retry().executeStream(fakeStream({ chunks: 0 }, newLog())));
    expect(result).toEqual({ chunks: [] });
  });
});

describe('executeStream: after the first chunk, nothing is retried', () => {
  it('throws StreamInterruptedError with the chunks delivered when the source stalls past idleMs', async () => {
    const log = newLog();
    let calls = 0;
    const policy = pipeline(retry({ maxAttempts: 3 }), stream({ idleMs: 200 }));
    const result = await run(
      policy.executeStream((ctx) => {
        calls++;
        return fakeStream({ chunks: 5, gapMs: 10, then: 'hang' }, log)(ctx);
      }),
    );
    expect(result.chunks).toHaveLength(5);
    expect(isStreamInterruptedError(result.error)).toBe(true);
    expect(result.error).toMatchObject({ chunks: 5, reason: 'stalled' });
    expect((result.error as StreamInterruptedError).cause).toBeInstanceOf(TimeoutError);
    expect(calls).toBe(1);
    expect(log.signals[0]?.aborted).toBe(true);
    expect(log.closed).toBe(1);
  });

  it('does not call a slow consumer a stall: idle time only runs while a chunk is awaited', async () => {
    const log = newLog();
    const iterator = iterate(stream({ idleMs: 100 }).executeStream(fakeStream({ chunks: 3 }, log)));
    expect(await iterator.next()).toEqual({ value: 'c1', done: false });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await iterator.next()).toEqual({ value: 'c2', done: false });
    expect(await iterator.next()).toEqual({ value: 'c3', done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('wraps an error after the first chunk, never retrying it', async () => {
    const log = newLog();
    const policy = pipeline(retry({ maxAttempts: 3 }), stream());
    const result = await run(policy.executeStream(fakeStream({ chunks: 2, then: 'throw' }, log)));
    expect(result.chunks).toEqual(['c1', 'c2']);
    expect(result.error).toMatchObject({
      name: 'StreamInterruptedError',
      chunks: 2,
      reason: 'error',
    });
    expect((result.error as Error).cause).toMatchObject({ message: 'source broke' });
    expect(log.opened).toBe(1);
  });

  it('never ends cleanly a stream cut before its final chunk', async () => {
    const policy = stream({ isComplete: isDone });
    const result = await run(policy.executeStream(fakeStream({ chunks: 3 }, newLog())));
    expect(result.chunks).toEqual(['c1', 'c2', 'c3']);
    expect(result.error).toMatchObject({ chunks: 3, reason: 'incomplete' });
  });

  it('keeps one timer per stream, not one per chunk', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const source = async function* () {
      for (let i = 0; i < 1_000; i++) yield await Promise.resolve(i);
    };
    const result = await run(stream({ idleMs: 100, firstChunkMs: 100 }).executeStream(source));
    expect(result.chunks).toHaveLength(1_000);
    // One for the first-chunk deadline, one for the idle deadline.
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
    spy.mockRestore();
  });

  it('ticks its one timer a few times per idleMs however many chunks come', async () => {
    const log = newLog();
    const policy = stream({ idleMs: 100 });
    const iterable = policy.executeStream(fakeStream({ chunks: 400, gapMs: 1 }, log));
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const result = await run(iterable);
    expect(result.chunks).toHaveLength(400);
    // 400 are the fake source's own sleeps; the stream's timer ticks four times per idleMs
    // over the 400 ms the stream lasts: some sixteen, not one per chunk.
    expect(spy.mock.calls.length - 400).toBeLessThanOrEqual(20);
    expect(vi.getTimerCount()).toBe(0);
    spy.mockRestore();
  });

  it('reports a stall after idleMs, and no later than a quarter more', async () => {
    const iterator = iterate(
      stream({ idleMs: 400 }).executeStream(fakeStream({ chunks: 1, then: 'hang' }, newLog())),
    );
    expect((await iterator.next()).value).toBe('c1');
    const second = outcome(iterator.next());
    await vi.advanceTimersByTimeAsync(399);
    expect(await Promise.race([second, Promise.resolve('pending')])).toBe('pending');
    await vi.advanceTimersByTimeAsync(101);
    expect(await second).toMatchObject({ ok: false, error: { reason: 'stalled', chunks: 1 } });
  });
});

describe('executeStream: a consumer that stops early', () => {
  it('closes the source and aborts the attempt on break', async () => {
    const log = newLog();
    const seen: string[] = [];
    const done = (async () => {
      for await (const chunk of stream().executeStream(fakeStream({ chunks: 10, gapMs: 5 }, log))) {
        seen.push(chunk);
        if (seen.length === 3) break;
      }
    })();
    await vi.runAllTimersAsync();
    await done;
    expect(seen).toEqual(['c1', 'c2', 'c3']);
    expect(log.closed).toBe(1);
    expect(log.signals[0]?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops on the caller’s signal, mid-stream, with its reason', async () => {
    const log = newLog();
    const caller = new AbortController();
    const iterable = stream({ idleMs: 1_000 }).executeStream(
      fakeStream({ chunks: 10, gapMs: 100 }, log),
      caller.signal,
    );
    const drained = drain(iterable);
    await vi.advanceTimersByTimeAsync(250);
    caller.abort(new Error('user left'));
    await vi.runAllTimersAsync();
    const result = await drained;
    expect(result.chunks).toEqual(['c1', 'c2']);
    expect(result.error).toMatchObject({ message: 'user left' });
    expect(log.closed).toBe(1);
    expect(log.signals[0]?.aborted).toBe(true);
  });

  it('stops on the caller’s signal before the first chunk', async () => {
    const log = newLog();
    const caller = new AbortController();
    const drained = drain(
      retry().executeStream(fakeStream({ chunks: 1, firstMs: 1_000 }, log), caller.signal),
    );
    await vi.advanceTimersByTimeAsync(10);
    caller.abort(new Error('never mind'));
    await vi.runAllTimersAsync();
    expect((await drained).error).toMatchObject({ message: 'never mind' });
    expect(log.signals[0]?.aborted).toBe(true);
  });
});

describe('executeStream: signals made only when read', () => {
  it('hands a function that reads its signal only after the consumer stopped an aborted one', async () => {
    const contexts: Context[] = [];
    // eslint-disable-next-line @typescript-eslint/require-await -- chunks at hand; the signal is never read while it runs
    async function* quiet(ctx: Context): AsyncGenerator<string> {
      contexts.push(ctx);
      for (;;) yield 'c';
    }
    for await (const chunk of stream({ idleMs: 1_000 }).executeStream(quiet)) {
      expect(chunk).toBe('c');
      break;
    }
    expect(contexts[0]?.signal.aborted).toBe(true);
    expect(contexts[0]?.signal.reason).toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops a retry waiting out its backoff when the consumer leaves before the first chunk', async () => {
    let calls = 0;
    const policy = pipeline(retry({ maxAttempts: 5, backoff: constant(10_000) }), stream());
    const failing = policy.executeStream(() => {
      calls++;
      return Promise.reject(new Error('503'));
    });
    const iterator = failing[Symbol.asyncIterator]();
    const first = outcome(iterator.next());
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(1);
    await iterator.return?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(await first).toMatchObject({ ok: false, error: { name: 'AbortError' } });
  });

  it('calls off the opening attempt when the consumer leaves before the first chunk', async () => {
    const log = newLog();
    const slow = retry().executeStream(fakeStream({ chunks: 2, firstMs: 1_000 }, log));
    const iterator = slow[Symbol.asyncIterator]();
    const first = outcome(iterator.next());
    await vi.advanceTimersByTimeAsync(10);
    await iterator.return?.();
    await vi.runAllTimersAsync();
    expect(await first).toMatchObject({ ok: false, error: { name: 'AbortError' } });
    expect(log.signals[0]?.aborted).toBe(true);
    expect(log.closed).toBe(1);
  });

  it('stops a stream inside a timeout, which reads the call’s signal, on the caller’s abort', async () => {
    const log = newLog();
    const caller = new AbortController();
    const drained = drain(
      pipeline(timeout(5_000), stream()).executeStream(
        fakeStream({ chunks: 1, firstMs: 1_000 }, log),
        caller.signal,
      ),
    );
    await vi.advanceTimersByTimeAsync(10);
    caller.abort(new Error('never mind'));
    await vi.runAllTimersAsync();
    expect((await drained).error).toMatchObject({ message: 'never mind' });
    expect(log.signals[0]?.aborted).toBe(true);
  });
});

describe('executeStream and the breaker', () => {
  it('counts an interrupted stream as a failure, after its execute resolved', async () => {
    const breaker = circuitBreaker({ trip: consecutive(2) });
    const policy = pipeline(breaker, stream({ isComplete: isDone }));
    const failures: unknown[] = [];
    breaker.onFailure((event) => failures.push(event.error));
    for (let i = 0; i < 2; i++) {
      const result = await run(policy.executeStream(fakeStream({ chunks: 2 }, newLog())));
      expect(isStreamInterruptedError(result.error)).toBe(true);
    }
    expect(failures).toHaveLength(2);
    expect(breaker.state).toBe('open');
  });

  it('counts a complete stream once, as a success', async () => {
    const breaker = circuitBreaker({ trip: consecutive(1) });
    const successes: number[] = [];
    breaker.onSuccess((event) => successes.push(event.durationMs));
    const policy = pipeline(breaker, stream());
    const result = await run(
      policy.executeStream(fakeStream({ chunks: 3, firstMs: 40, gapMs: 40 }, newLog())),
    );
    expect(result.chunks).toHaveLength(3);
    // The breaker's latency of a stream is its time to first chunk.
    expect(successes).toEqual([40]);
    expect(breaker.state).toBe('closed');
  });

  it('holds a half-open probe until its stream ends, and reopens on an interruption', async () => {
    const breaker = circuitBreaker({ trip: consecutive(1), openMs: 1_000 });
    const policy = pipeline(breaker, stream({ isComplete: isDone }));
    await run(policy.executeStream(() => Promise.reject(new Error('down'))));
    expect(breaker.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1_000);
    const probe = iterate(policy.executeStream(fakeStream({ chunks: 3, gapMs: 100 }, newLog())));
    const first = probe.next();
    await vi.advanceTimersByTimeAsync(100);
    expect((await first).value).toBe('c1');
    expect(breaker.state).toBe('half-open');
    const second = await run(policy.executeStream(fakeStream({ chunks: 1 }, newLog())));
    expect(second.error).toMatchObject({ name: 'CircuitOpenError' });
    const rest = drain({ [Symbol.asyncIterator]: () => probe });
    await vi.runAllTimersAsync();
    expect((await rest).error).toMatchObject({ reason: 'incomplete' });
    expect(breaker.state).toBe('open');
  });
});

describe('stream() options', () => {
  it('rejects invalid limits, naming the option and the accepted range', () => {
    expect(() => stream({ idleMs: 0 })).toThrow(RangeError);
    expect(() => stream({ firstChunkMs: -1 })).toThrow(/firstChunkMs/);
    expect(() => stream({ isComplete: 'yes' as never })).toThrow(TypeError);
  });

  it('passes plain execute calls through', async () => {
    await expect(stream({ idleMs: 10 }).execute(() => 42)).resolves.toBe(42);
  });
});
