import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, timeout, type Context, type TimeoutMode } from '../../src/core/index.js';
import { abortListeners, countControllers } from './helpers.js';
import { deferred, flush, observe } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const modes: TimeoutMode[] = ['cooperative', 'aggressive'];

describe.each(modes)('the function’s signal is made only when read (%s)', (mode) => {
  it('costs no AbortController and no listener when the function never reads it', async () => {
    const caller = new AbortController();
    const controllers = countControllers();
    try {
      const policy = timeout({ ms: 100, mode });
      const work = deferred();
      const call = policy.execute(() => work.promise, caller.signal);
      expect(controllers.count()).toBe(0);
      // Cooperative mode needs no listener at all; aggressive mode must answer an abort at once.
      expect(abortListeners(caller.signal)).toBe(mode === 'aggressive' ? 1 : 0);
      work.resolve(1);
      await expect(call).resolves.toBe(1);
      await policy.execute(() => 2);
      expect(controllers.count()).toBe(0);
      expect(abortListeners(caller.signal)).toBe(0);
    } finally {
      controllers.restore();
    }
  });

  it('links the signal to the caller’s on first read and unlinks it when the call settles', async () => {
    const caller = new AbortController();
    const policy = timeout({ ms: 100, mode });
    const work = deferred();
    let ctx: Context | undefined;
    const call = policy.execute((c) => {
      ctx = c;
      return work.promise;
    }, caller.signal);
    const signal = ctx?.signal;
    expect(signal?.aborted).toBe(false);
    expect(ctx?.signal).toBe(signal);
    expect(abortListeners(caller.signal)).toBe(1);
    work.resolve(1);
    await call;
    expect(abortListeners(caller.signal)).toBe(0);
    caller.abort(new Error('after the call'));
    expect(signal?.aborted).toBe(false);
  });

  it('unlinks the caller’s signal when the call times out', async () => {
    const caller = new AbortController();
    const policy = timeout({ ms: 100, mode });
    const work = deferred();
    const call = observe(
      policy.execute((ctx) => {
        void ctx.signal;
        return work.promise;
      }, caller.signal),
    );
    expect(abortListeners(caller.signal)).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(abortListeners(caller.signal)).toBe(0);
    work.resolve(1);
    await flush();
    expect(call.error()).toBeInstanceOf(TimeoutError);
  });

  it('hands out a signal that cannot abort when first read after the call settled', async () => {
    const caller = new AbortController();
    let ctx: Context | undefined;
    await timeout({ ms: 100, mode }).execute((c) => {
      ctx = c;
      return 1;
    }, caller.signal);
    expect(ctx?.signal.aborted).toBe(false);
    expect(abortListeners(caller.signal)).toBe(0);
  });

  it('makes one AbortController per call that reads the signal, and none for the others', async () => {
    const controllers = countControllers();
    try {
      const policy = timeout({ ms: 100, mode });
      await Promise.all([
        policy.execute((ctx) => ctx.signal.aborted),
        policy.execute(() => 1),
        policy.execute((ctx) => [ctx.signal, ctx.signal]),
      ]);
      expect(controllers.count()).toBe(2);
    } finally {
      controllers.restore();
    }
  });
});
