import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, timeout, type TimeoutMode } from '../../src/core/index.js';
import { abortListeners, startCall } from './helpers.js';
import { deferred, flush, observe } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const modes: TimeoutMode[] = ['cooperative', 'aggressive'];

describe.each(modes)('a caller’s abort through a timeout (%s)', (mode) => {
  it('rejects before the first attempt when the caller has already aborted', async () => {
    const caller = new AbortController();
    const reason = new Error('caller gave up');
    caller.abort(reason);
    const fn = vi.fn(() => 1);
    const policy = timeout({ ms: 100, mode });
    await expect(policy.execute(fn, caller.signal)).rejects.toBe(reason);
    await expect(policy.executeDetailed(fn, caller.signal)).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts the function’s signal with the caller’s reason and rejects with it', async () => {
    const caller = new AbortController();
    const reason = new Error('caller gave up');
    const policy = timeout({ ms: 100, mode });
    const onTimeout = vi.fn();
    policy.onTimeout(onTimeout);
    const { work, call, signal } = startCall(policy, caller.signal);
    await vi.advanceTimersByTimeAsync(40);
    caller.abort(reason);
    expect(signal()?.aborted).toBe(true);
    expect(signal()?.reason).toBe(reason);
    await flush();
    if (mode === 'aggressive') {
      expect(call.error()).toBe(reason);
    } else {
      expect(call.state()).toBe('pending'); // cooperative: waits for the function
      work.reject(new Error('stopped'));
      await flush();
      expect(call.error()).toBe(reason);
    }
    expect(policy.pendingCalls).toBe(0);
    expect(abortListeners(caller.signal)).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('rejects with the caller’s reason even when the function ignored its signal', async () => {
    const caller = new AbortController();
    const reason = new Error('caller gave up');
    const policy = timeout({ ms: 100, mode });
    const work = deferred();
    const call = observe(policy.execute(() => work.promise, caller.signal));
    await vi.advanceTimersByTimeAsync(10);
    caller.abort(reason);
    await vi.advanceTimersByTimeAsync(200); // past the deadline: the caller's abort came first
    work.resolve(1);
    await flush();
    expect(call.error()).toBe(reason);
    expect(abortListeners(caller.signal)).toBe(0);
  });

  it('keeps the TimeoutError when the caller aborts after the deadline', async () => {
    const caller = new AbortController();
    const policy = timeout({ ms: 100, mode });
    const { work, call, signal } = startCall(policy, caller.signal);
    await vi.advanceTimersByTimeAsync(100);
    caller.abort(new Error('too late to matter'));
    work.resolve(1);
    await flush();
    expect(call.error()).toBeInstanceOf(TimeoutError);
    expect(signal()?.reason).toBe(call.error());
  });

  it('gives a function that reads its signal after the caller aborted an aborted one', async () => {
    const caller = new AbortController();
    const reason = new Error('caller gave up');
    const policy = timeout({ ms: 100, mode });
    const work = deferred();
    let read: (() => AbortSignal) | undefined;
    const call = observe(
      policy.execute((ctx) => {
        read = () => ctx.signal;
        return work.promise;
      }, caller.signal),
    );
    caller.abort(reason);
    const signal = read?.();
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(reason);
    work.resolve(1);
    await flush();
    expect(call.error()).toBe(reason);
  });
});
