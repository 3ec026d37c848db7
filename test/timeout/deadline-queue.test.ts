import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, timeout, type TimeoutMode } from '../../src/core/index.js';
import { flush, type Deferred, type Observed } from '../support/promises.js';
import { startCall } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const modes: TimeoutMode[] = ['cooperative', 'aggressive'];

interface Started {
  readonly work: Deferred<number>;
  readonly call: Observed<number>;
  readonly signal: () => AbortSignal | undefined;
  readonly startedAt: number;
}

describe.each(modes)('timeout deadlines (%s): one timer per policy', (mode) => {
  function start(policy: ReturnType<typeof timeout>): Started {
    return { ...startCall<number>(policy), startedAt: Date.now() };
  }

  /** A call is cut short when its signal aborted (the function was told). */
  const cutShort = (s: Started): boolean => s.signal()?.aborted === true;

  it('never has more than one timer pending, however many calls overlap', async () => {
    const policy = timeout({ ms: 100, mode });
    const calls: Started[] = [];
    for (let i = 0; i < 50; i++) {
      calls.push(start(policy));
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(7);
    }
    expect(policy.pendingCalls).toBe(14); // started in the last 100 ms
    for (let t = 0; t < 200; t++) {
      await vi.advanceTimersByTimeAsync(1);
      expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
    }
    expect(calls.every(cutShort)).toBe(true);
    expect(policy.pendingCalls).toBe(0);
  });

  it('expires each overlapping call exactly at its own deadline', async () => {
    const policy = timeout({ ms: 100, mode });
    const calls: Started[] = [];
    for (let i = 0; i < 20; i++) {
      calls.push(start(policy));
      await vi.advanceTimersByTimeAsync(i % 3 === 0 ? 0 : 13);
    }
    const origin = calls[0]?.startedAt ?? 0;
    const end = (calls.at(-1)?.startedAt ?? 0) + 100;
    for (let now = Date.now(); now <= end; now = Date.now()) {
      for (const c of calls) expect(cutShort(c)).toBe(now >= c.startedAt + 100);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(Date.now() - origin).toBeGreaterThan(100);
    expect(calls.every(cutShort)).toBe(true);
  });

  it('lets calls finish out of order while the rest still expire on time', async () => {
    const policy = timeout({ ms: 100, mode });
    const calls: Started[] = [];
    for (let i = 0; i < 10; i++) {
      calls.push(start(policy));
      await vi.advanceTimersByTimeAsync(5);
    }
    // t = 50: finish the first, the last and two in the middle, in that order.
    for (const i of [0, 9, 4, 5]) calls[i]?.work.resolve(i);
    await flush();
    expect(policy.pendingCalls).toBe(6);
    for (const i of [0, 9, 4, 5]) expect(calls[i]?.call.value()).toBe(i);

    await vi.advanceTimersByTimeAsync(55); // t = 105: call 1 (started at 5) is due, call 2 is not
    expect(cutShort(calls[1] as Started)).toBe(true);
    expect(cutShort(calls[2] as Started)).toBe(false);
    await vi.advanceTimersByTimeAsync(29); // t = 134: 2, 3, 6 due; 7 (started at 35) not yet
    expect([2, 3, 6, 7].map((i) => cutShort(calls[i] as Started))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    await vi.advanceTimersByTimeAsync(10);
    expect(policy.pendingCalls).toBe(0);
    for (const i of [0, 9, 4, 5]) expect(cutShort(calls[i] as Started)).toBe(false);
    for (const c of calls) c.work.resolve(-1);
    await flush();
    for (const i of [1, 2, 3, 6, 7, 8]) {
      expect(calls[i]?.call.error()).toBeInstanceOf(TimeoutError);
    }
  });

  it('holds ten thousand calls in flight, finishing in reverse order, on one timer', async () => {
    const policy = timeout({ ms: 1_000, mode });
    const calls: Started[] = [];
    for (let i = 0; i < 10_000; i++) calls.push(start(policy));
    expect(policy.pendingCalls).toBe(10_000);
    expect(vi.getTimerCount()).toBe(1);
    for (let i = calls.length - 1; i >= 0; i--) calls[i]?.work.resolve(i);
    await flush();
    expect(policy.pendingCalls).toBe(0);
    expect(calls.every((c) => c.call.value() !== undefined && !cutShort(c))).toBe(true);
  });

  it('leaves no timer behind once the calls are over and their deadline has passed', async () => {
    const policy = timeout({ ms: 100, mode });
    for (let i = 0; i < 5; i++) await policy.execute(() => i);
    const late = start(policy);
    late.work.resolve(1);
    await flush();
    // The timer armed for the first call is not cleared (no clearTimeout per call): it fires once…
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    // …finds nothing waiting, and does not re-arm.
    expect(vi.getTimerCount()).toBe(0);
    expect(policy.pendingCalls).toBe(0);
  });

  it('arms one timer for a thousand sequential calls, not one per call', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const clearTimeoutSpy = vi.spyOn(globalThis, 'clearTimeout');
    const policy = timeout({ ms: 1_000, mode });
    for (let i = 0; i < 1_000; i++) await policy.execute(() => Promise.resolve(i));
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    expect(clearTimeoutSpy).not.toHaveBeenCalled();
  });

  it('re-arms for the next waiting call when the timer fires early for it', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const policy = timeout({ ms: 100, mode });
    const first = start(policy); // t = 0, timer due at 100
    first.work.resolve(1);
    await vi.advanceTimersByTimeAsync(60);
    const second = start(policy); // t = 60, deadline 160
    await vi.advanceTimersByTimeAsync(40); // t = 100: the timer fires, nothing is due
    expect(cutShort(second)).toBe(false);
    expect(setTimeoutSpy).toHaveBeenCalledTimes(2);
    expect(setTimeoutSpy.mock.calls[1]?.[1]).toBe(60);
    await vi.advanceTimersByTimeAsync(59);
    expect(cutShort(second)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(cutShort(second)).toBe(true);
  });

  it('reads deadlines from the injected clock, not from the timers', async () => {
    let now = 1_000_000;
    const policy = timeout({ ms: 100, mode, clock: { now: () => now } });
    const waiting = start(policy);
    await vi.advanceTimersByTimeAsync(100); // the timer fires, but the clock has not moved
    expect(cutShort(waiting)).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    now += 99;
    await vi.advanceTimersByTimeAsync(100);
    expect(cutShort(waiting)).toBe(false);
    now += 1;
    await vi.advanceTimersByTimeAsync(1); // re-armed for the 1 ms left by the clock
    expect(cutShort(waiting)).toBe(true);
  });

  it('its timer holds the process while a call waits, and lets go once none does', async () => {
    vi.useRealTimers();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const policy = timeout({ ms: 60_000, mode });
    const call = policy.execute(() => Promise.resolve(1));
    const handle = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(true);
    await call;
    expect(handle.hasRef()).toBe(false);
    clearTimeout(handle);
  });
});
