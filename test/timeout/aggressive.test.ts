import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, timeout } from '../../src/core/index.js';
import { flush, observe } from '../support/promises.js';
import { startCall } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('timeout, aggressive mode', () => {
  it('rejects at the deadline without waiting, the function’s signal aborted with the same error', async () => {
    const policy = timeout({ ms: 100, mode: 'aggressive' });
    const { work, call, signal } = startCall(policy);
    await vi.advanceTimersByTimeAsync(99);
    expect(call.state()).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(call.state()).toBe('rejected');
    expect(call.error()).toBeInstanceOf(TimeoutError);
    expect(signal()?.aborted).toBe(true);
    expect(signal()?.reason).toBe(call.error());

    // The function's late outcome is ignored, and its rejection is handled (no unhandled rejection).
    work.reject(new Error('too late'));
    await flush();
    expect(call.error()).toBeInstanceOf(TimeoutError);
  });

  it('rejects at the deadline even when the function never reads its signal', async () => {
    const policy = timeout({ ms: 30, mode: 'aggressive' });
    const call = observe(policy.execute(() => new Promise(() => undefined)));
    await vi.advanceTimersByTimeAsync(30);
    expect(call.error()).toBeInstanceOf(TimeoutError);
    expect(policy.pendingCalls).toBe(0);
  });

  it('resolves or rejects with the function’s outcome when it settles in time', async () => {
    const policy = timeout({ ms: 100, mode: 'aggressive' });
    await expect(policy.execute(() => Promise.resolve('ok'))).resolves.toBe('ok');
    const failure = new Error('boom');
    await expect(policy.execute(() => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      policy.execute(() => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(policy.pendingCalls).toBe(0);
  });

  it('ignores the deadline once the function has answered', async () => {
    const policy = timeout({ ms: 100, mode: 'aggressive' });
    let signal: AbortSignal | undefined;
    await policy.execute((ctx) => {
      signal = ctx.signal;
      return 1;
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(signal?.aborted).toBe(false);
  });
});
