import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, isTimeoutError, timeout, type Context } from '../../src/core/index.js';
import { deferred, flush, observe } from '../support/promises.js';
import { startCall } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('timeout, cooperative mode', () => {
  it('is the default mode', () => {
    expect(timeout({ ms: 100 }).mode).toBe('cooperative');
    expect(timeout(100).ms).toBe(100);
  });

  it('passes a value through when the function finishes in time, its signal never aborted', async () => {
    const policy = timeout({ ms: 100 });
    let seen: AbortSignal | undefined;
    const result = policy.execute(async (ctx) => {
      seen = ctx.signal;
      await vi.advanceTimersByTimeAsync(99);
      return 'done';
    });
    await expect(result).resolves.toBe('done');
    expect(seen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen?.aborted).toBe(false);
  });

  it('passes the function’s own error through when it fails in time', async () => {
    const failure = new Error('boom');
    await expect(timeout(100).execute(() => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      timeout(100).execute(() => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(timeout(100).execute(() => 7)).resolves.toBe(7);
  });

  it('aborts the signal at the deadline and waits for the function before rejecting with TimeoutError', async () => {
    const policy = timeout({ ms: 100 });
    const { work, call, signal } = startCall<string>(policy);
    await vi.advanceTimersByTimeAsync(99);
    expect(signal()?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal()?.aborted).toBe(true);
    expect(signal()?.reason).toBeInstanceOf(TimeoutError);
    expect((signal()?.reason as TimeoutError).ms).toBe(100);
    // Within its grace (by default as long again as its ms), the call waits for the function.
    await vi.advanceTimersByTimeAsync(99);
    expect(call.state()).toBe('pending');

    work.resolve('late answer');
    await flush();
    expect(call.state()).toBe('rejected');
    expect(isTimeoutError(call.error())).toBe(true);
    expect(call.error()).toBe(signal()?.reason);
  });

  it('answers a function that ignores its signal once its grace is over, or never with graceMs Infinity', async () => {
    const bounded = startCall<string>(timeout({ ms: 100, graceMs: 30 }));
    const patient = startCall<string>(timeout({ ms: 100, graceMs: Infinity }));
    await vi.advanceTimersByTimeAsync(129);
    expect(bounded.call.state()).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(bounded.call.state()).toBe('rejected');
    expect(isTimeoutError(bounded.call.error())).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(patient.call.state()).toBe('pending');
    patient.work.resolve('at last');
    await flush();
    expect(isTimeoutError(patient.call.error())).toBe(true);
    expect(() => timeout({ ms: 100, graceMs: -1 })).toThrow(/graceMs/);
  });

  it('rejects with TimeoutError, not the function’s abort error, when the function gives up', async () => {
    const policy = timeout({ ms: 50 });
    const call = observe(
      policy.execute(
        (ctx) =>
          new Promise((_, reject) => {
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted by signal')));
          }),
      ),
    );
    await vi.advanceTimersByTimeAsync(50);
    await flush();
    expect(call.state()).toBe('rejected');
    expect(call.error()).toBeInstanceOf(TimeoutError);
    expect((call.error() as Error).message).toBe('the call timed out after 50 ms');
  });

  it('times out a function that never reads its signal, once it settles', async () => {
    const policy = timeout({ ms: 100 });
    const work = deferred();
    const call = observe(policy.execute(() => work.promise));
    await vi.advanceTimersByTimeAsync(150);
    expect(call.state()).toBe('pending');
    work.resolve(1);
    await flush();
    expect(call.error()).toBeInstanceOf(TimeoutError);
  });

  it('gives a function that reads its signal late an already aborted one', async () => {
    const policy = timeout({ ms: 100 });
    const work = deferred();
    let ctx: Context | undefined;
    const call = observe(
      policy.execute((c) => {
        ctx = c;
        return work.promise;
      }),
    );
    await vi.advanceTimersByTimeAsync(100);
    const late = ctx?.signal;
    expect(late?.aborted).toBe(true);
    expect(late?.reason).toBeInstanceOf(TimeoutError);
    expect(ctx?.signal).toBe(late);
    work.resolve(1);
    await flush();
    expect(call.error()).toBe(late?.reason);
  });

  it('logs as a compact JSON object, even with other calls pending', async () => {
    const policy = timeout(100);
    const contexts: Context[] = [];
    const work = deferred();
    const calls = [1, 2, 3].map(() =>
      policy.execute((ctx) => {
        contexts.push(ctx);
        return work.promise;
      }),
    );
    expect(contexts.map((ctx) => JSON.stringify(ctx))).toEqual([
      '{"attempt":1}',
      '{"attempt":1}',
      '{"attempt":1}',
    ]);
    work.resolve(1);
    await Promise.all(calls);
  });

  it('keeps attempt and operation from the context it was given', async () => {
    let seen: Context | undefined;
    await timeout(100).execute((ctx) => {
      seen = ctx;
      return 1;
    });
    expect(seen?.attempt).toBe(1);
    expect(seen?.operation).toBeUndefined();
  });

  it('answers executeDetailed with the value and where it came from', async () => {
    const detailed = await timeout(100).executeDetailed(() => 'v');
    expect(detailed).toMatchObject({
      value: 'v',
      fromFallback: false,
      source: 'primary',
      attempts: 1,
    });
  });
});
