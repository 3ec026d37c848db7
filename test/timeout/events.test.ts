import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, timeout, type TimeoutEvent } from '../../src/core/index.js';
import { onListenerError } from '../../src/core/events.js';
import { flush, observe } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  onListenerError((error) => {
    console.error(error);
  });
  vi.useRealTimers();
});

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('timeout events', () => {
  it('reports each timeout once, with the deadline, mode and attempt', async () => {
    const policy = timeout({ ms: 100, mode: 'aggressive' });
    const events: TimeoutEvent[] = [];
    policy.onTimeout((event) => {
      events.push(event);
    });
    observe(policy.execute(never));
    await vi.advanceTimersByTimeAsync(50);
    observe(policy.execute(never));
    await vi.advanceTimersByTimeAsync(50);
    expect(events).toEqual([{ ms: 100, mode: 'aggressive', attempt: 1, operation: undefined }]);
    await vi.advanceTimersByTimeAsync(50);
    expect(events).toHaveLength(2);
    await policy.execute(() => 1);
    await vi.advanceTimersByTimeAsync(500);
    expect(events).toHaveLength(2);
  });

  it('stops calling a listener once it unsubscribed, and unsubscribing twice is harmless', async () => {
    const policy = timeout(10);
    const listener = vi.fn();
    const unsubscribe = policy.onTimeout(listener);
    unsubscribe();
    unsubscribe();
    observe(policy.execute(never));
    await vi.advanceTimersByTimeAsync(10);
    expect(listener).not.toHaveBeenCalled();
  });

  it('never lets a throwing listener break the call or the other listeners', async () => {
    const reported: unknown[] = [];
    onListenerError((error) => reported.push(error));
    const policy = timeout({ ms: 10, mode: 'aggressive' });
    const after = vi.fn();
    policy.onTimeout(() => {
      throw new Error('listener bug');
    });
    policy.onTimeout(after);
    const call = observe(policy.execute(never));
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(call.error()).toBeInstanceOf(TimeoutError);
    expect(after).toHaveBeenCalledTimes(1);
    expect(reported).toEqual([new Error('listener bug')]);
  });
});
