import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  createResilience,
  isFirstChunkTimeoutError,
  type CallEndEvent,
  type Resilience,
} from '../../src/core/index.js';
import { drain, fakeStream, newLog, type FakeStream, type SourceLog } from './sources.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function run<T>(iterable: AsyncIterable<T>) {
  const drained = drain(iterable);
  await vi.runAllTimersAsync();
  return drained;
}

const noWait = { kind: 'constant', delayMs: 0 } as const;
const isDone = (chunk: string): boolean => chunk === 'done';

/**
 * A provider whose n-th call behaves as `plan[n]` (the last entry repeats); like an SDK call,
 * it takes the caller's arguments and reads its attempt's context from `resilience.context()`.
 */
function provider(resilience: Resilience, plan: readonly (FakeStream | Error)[], log: SourceLog) {
  let calls = 0;
  const attempts: number[] = [];
  const fn = (prompt: string) => {
    const ctx = resilience.context();
    attempts.push(ctx.attempt);
    const step = plan[Math.min(calls++, plan.length - 1)] as FakeStream | Error;
    if (step instanceof Error) return Promise.reject(step);
    expect(prompt).toBe('hello');
    return fakeStream(step, log)(ctx);
  };
  return { fn, calls: () => calls, attempts };
}

describe('resilience.wrapStream', () => {
  it('retries a failure before the first chunk and counts the stream as one successful call', async () => {
    const resilience = createResilience();
    const events: CallEndEvent[] = [];
    resilience.observe({ onCallEnd: (event) => events.push(event) });
    const log = newLog();
    const upstream = provider(
      resilience,
      [new Error('502'), { chunks: 3, firstMs: 30, gapMs: 20, marksEnd: true }],
      log,
    );
    const chat = resilience.wrapStream('chat', upstream.fn, {
      config: { retry: { maxAttempts: 3, backoff: noWait } },
      stream: { idleMs: 1_000, isComplete: isDone },
    });
    expect(chat.operation).toBe('chat');
    const result = await run(chat('hello'));
    expect(result).toEqual({ chunks: ['c1', 'c2', 'done'] });
    expect(upstream.calls()).toBe(2);
    // Each attempt's own context, through resilience.context(): the function took only 'hello'.
    expect(upstream.attempts).toEqual([1, 2]);
    const metrics = resilience.metrics('chat');
    expect(metrics).toMatchObject({
      totalCalls: 1,
      successfulCalls: 1,
      failedCalls: 0,
      retryAttempts: 1,
    });
    expect(metrics?.toJSON().firstChunkMs?.count).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'success', firstChunkMs: 30, durationMs: 70 });
  });

  it('counts an interrupted stream as a failure, in the metrics and in the breaker', async () => {
    const resilience = createResilience();
    const events: CallEndEvent[] = [];
    resilience.observe({ onCallEnd: (event) => events.push(event) });
    const log = newLog();
    const upstream = provider(resilience, [{ chunks: 2, gapMs: 10, then: 'hang' }], log);
    const chat = resilience.wrapStream('chat', upstream.fn, {
      config: {
        retry: false,
        circuitBreaker: { trip: { kind: 'consecutive', threshold: 2 } },
        stream: { idleMs: 100 },
      },
    });
    for (let i = 0; i < 2; i++) {
      const result = await run(chat('hello'));
      expect(result.error).toMatchObject({ name: 'StreamInterruptedError', chunks: 2 });
    }
    expect(resilience.metrics('chat')).toMatchObject({ totalCalls: 2, failedCalls: 2 });
    expect(events.map((event) => event.outcome)).toEqual(['failure', 'failure']);
    expect(resilience.breaker('chat')?.state).toBe('open');
    expect(log.closed).toBe(2);
    const rejected = await run(chat('hello'));
    expect(rejected.error).toMatchObject({ name: 'CircuitOpenError' });
  });

  it('answers with the fallback’s stream when no first chunk comes in time', async () => {
    const resilience = createResilience();
    const log = newLog();
    const upstream = provider(resilience, [{ chunks: 1, firstMs: 10_000 }], log);
    const chat = resilience.wrapStream('chat', upstream.fn, {
      config: { retry: { maxAttempts: 2, backoff: noWait }, stream: { firstChunkMs: 500 } },
      fallback: (error, prompt) => {
        expect(isFirstChunkTimeoutError(error)).toBe(true);
        expect(prompt).toBe('hello');
        return fakeStream({ chunks: 2 }, log)(resilience.context());
      },
    });
    const result = await run(chat('hello'));
    expect(result).toEqual({ chunks: ['c1', 'c2'] });
    expect(upstream.calls()).toBe(2);
    expect(resilience.metrics('chat')).toMatchObject({ totalCalls: 1, fallbackCalls: 1 });
  });

  it('gives the fallback its own attempt’s signal, aborted when the consumer breaks', async () => {
    const resilience = createResilience();
    const log = newLog();
    const upstream = provider(resilience, [new Error('502')], log);
    const chat = resilience.wrapStream('chat', upstream.fn, {
      config: { retry: false },
      fallback: () => fakeStream({ chunks: 5, gapMs: 10 }, log)(resilience.context()),
    });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of chat('hello')) if (seen.push(chunk) === 2) break;
    })();
    await vi.runAllTimersAsync();
    await reading;
    expect(seen).toEqual(['c1', 'c2']);
    expect(log.signals).toHaveLength(1);
    expect(log.signals[0]?.aborted).toBe(true);
    expect(log.closed).toBe(1);
  });

  it('keeps the caller’s `this`, and its own arguments, as wrap does', async () => {
    const resilience = createResilience();
    function chunks(this: { prefix: string }, count: number) {
      const prefix = this.prefix;
      return (async function* () {
        for (let i = 1; i <= count; i++) yield await Promise.resolve(`${prefix}${i}`);
      })();
    }
    const api = { prefix: 'y', chunks: resilience.wrapStream('chunks', chunks) };
    expect(await run(api.chunks(2))).toEqual({ chunks: ['y1', 'y2'] });
    expect(() => resilience.signal()).toThrow(/outside a wrapped function/);
  });

  it('takes its deadlines from the operation config, changeable at runtime', async () => {
    const resilience = createResilience();
    const log = newLog();
    const upstream = provider(resilience, [{ chunks: 3, gapMs: 300 }], log);
    const chat = resilience.wrapStream('chat', upstream.fn, { config: { retry: false } });
    expect((await run(chat('hello'))).chunks).toHaveLength(3);
    resilience.updateConfig({ operations: { chat: { stream: { idleMs: 100 } } } });
    const result = await run(chat('hello'));
    expect(result.chunks).toEqual(['c1']);
    expect(result.error).toMatchObject({ reason: 'stalled', chunks: 1 });
  });

  it('closes the source when the consumer breaks, counting the call once', async () => {
    const resilience = createResilience();
    const log = newLog();
    const chat = resilience.wrapStream(
      'chat',
      provider(resilience, [{ chunks: 10, gapMs: 5 }], log).fn,
    );
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of chat('hello')) {
        seen.push(chunk);
        if (seen.length === 3) break;
      }
    })();
    await vi.runAllTimersAsync();
    await reading;
    expect(seen).toHaveLength(3);
    expect(log.closed).toBe(1);
    expect(log.signals[0]?.aborted).toBe(true);
    expect(resilience.metrics('chat')).toMatchObject({ totalCalls: 1, successfulCalls: 1 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects invalid stream limits, from code and from configuration', () => {
    const resilience = createResilience();
    const { fn } = provider(resilience, [{ chunks: 1 }], newLog());
    expect(() => resilience.wrapStream('chat', fn, { stream: { idleMs: -5 } })).toThrow(/idleMs/);
    resilience.wrapStream('chat', fn);
    expect(() =>
      resilience.updateConfig({ operations: { chat: { stream: { firstChunkMs: 0 } } } }),
    ).toThrow(ConfigError);
  });
});

describe('resilience.executeStream', () => {
  it('streams one call through the operation, stopping on the caller’s signal', async () => {
    const resilience = createResilience();
    const log = newLog();
    const caller = new AbortController();
    const drained = drain(
      resilience.executeStream('once', fakeStream({ chunks: 5, gapMs: 100 }, log), {
        signal: caller.signal,
      }),
    );
    await vi.advanceTimersByTimeAsync(150);
    caller.abort(new Error('bye'));
    await vi.runAllTimersAsync();
    const result = await drained;
    expect(result.chunks).toEqual(['c1']);
    expect(result.error).toMatchObject({ message: 'bye' });
    expect(log.closed).toBe(1);
  });

  it('asks no fallback for a call the caller aborted before its first chunk', async () => {
    const resilience = createResilience();
    const log = newLog();
    const caller = new AbortController();
    let fallbacks = 0;
    const drained = drain(
      resilience.executeStream('once', fakeStream({ chunks: 2, firstMs: 1_000 }, log), {
        signal: caller.signal,
        fallback: () => {
          fallbacks++;
          return fakeStream({ chunks: 2 }, log)(resilience.context());
        },
      }),
    );
    await vi.advanceTimersByTimeAsync(100);
    caller.abort(new Error('bye'));
    await vi.runAllTimersAsync();
    expect((await drained).error).toMatchObject({ message: 'bye' });
    expect(fallbacks).toBe(0);
    expect(log.signals[0]?.aborted).toBe(true);
    expect(log.closed).toBe(1);
  });
});
