import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTimeoutError } from '../../src/core/errors/index.js';
import { onListenerError } from '../../src/core/events.js';
import {
  BackgroundRecovery,
  isRecoverable,
  type BackgroundRecoveryOptions,
  type RecoveryState,
} from '../../src/core/index.js';
import { deferred, flush } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  onListenerError((error) => console.error(error));
});

/** Recovery with no jitter, so every delay is exact. */
function exact(options: BackgroundRecoveryOptions): BackgroundRecovery {
  return new BackgroundRecovery({ jitter: 0, ...options });
}

/** A recover function that records when (fake time) it was called and succeeds from call `succeedAt`. */
function recorder(succeedAt = Infinity) {
  const calls: number[] = [];
  const recover = vi.fn(() => {
    calls.push(Date.now());
    return Promise.resolve(calls.length >= succeedAt);
  });
  return { calls, recover };
}

describe('BackgroundRecovery: the loop', () => {
  it('starts idle and makes no attempt before start()', () => {
    const { recover } = recorder();
    const recovery = exact({ recover, baseDelayMs: 10 });
    expect(recovery.state).toBe('idle');
    expect(recover).not.toHaveBeenCalled();
  });

  it('makes its first attempt inside start()', () => {
    const { recover } = recorder();
    const recovery = exact({ recover });
    recovery.start();
    expect(recover).toHaveBeenCalledTimes(1);
    expect(recovery.state).toBe('recovering');
    return recovery.stop();
  });

  it('keeps attempting with exponential backoff until recover succeeds', async () => {
    const { calls, recover } = recorder(3);
    const onSuccess = vi.fn();
    const recovery = exact({ recover, baseDelayMs: 100, multiplier: 2, onSuccess });
    const start = Date.now();
    recovery.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.map((t) => t - start)).toEqual([0, 100, 300]);
    expect(recovery.state).toBe('succeeded');
    expect(recovery.attempts).toBe(3);
    expect(onSuccess).toHaveBeenCalledTimes(1);
    expect(onSuccess).toHaveBeenCalledWith({ attempts: 3, durationMs: 300 });
    expect(vi.getTimerCount()).toBe(0);
    await recovery.stop();
    expect(recovery.state).toBe('succeeded');
  });

  it('calls onSuccess once when the first attempt succeeds', async () => {
    const onSuccess = vi.fn();
    const recovery = exact({ recover: () => Promise.resolve(true), onSuccess });
    recovery.start();
    await flush();
    expect(onSuccess).toHaveBeenCalledTimes(1);
    expect(recovery.state).toBe('succeeded');
  });

  it('caps the delay at maxDelayMs', async () => {
    const delays: (number | undefined)[] = [];
    const recovery = exact({
      recover: () => false,
      baseDelayMs: 100,
      multiplier: 3,
      maxDelayMs: 1_000,
    });
    recovery.onAttempt((event) => void delays.push(event.nextDelayMs));
    recovery.start();
    await vi.advanceTimersByTimeAsync(5_000);
    await recovery.stop();
    expect(delays.slice(0, 6)).toEqual([100, 300, 900, 1_000, 1_000, 1_000]);
  });

  it('jitters each delay by up to ±jitter, driven by the injected random source', async () => {
    const delaysWith = async (random: () => number): Promise<(number | undefined)[]> => {
      const delays: (number | undefined)[] = [];
      const recovery = new BackgroundRecovery({
        recover: () => false,
        baseDelayMs: 1_000,
        jitter: 0.1,
        random,
      });
      recovery.onAttempt((event) => void delays.push(event.nextDelayMs));
      recovery.start();
      await vi.advanceTimersByTimeAsync(4_000);
      await recovery.stop();
      return delays.slice(0, 2);
    };
    expect(await delaysWith(() => 0)).toEqual([900, 1_800]);
    expect(await delaysWith(() => 0.5)).toEqual([1_000, 2_000]);
    const high = await delaysWith(() => 0.999_999);
    expect(high[0]).toBeCloseTo(1_100, 2);
    expect(high[1]).toBeCloseTo(2_200, 2);
  });

  it('the delay computation stays within [0, maxDelayMs] for any random draw', async () => {
    for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
      const delays: (number | undefined)[] = [];
      const recovery = new BackgroundRecovery({
        recover: () => false,
        baseDelayMs: 1_000,
        maxDelayMs: 1_500,
        multiplier: 2,
        jitter: 1,
        random: () => r,
        maxAttempts: 6,
      });
      recovery.onAttempt((event) => void delays.push(event.nextDelayMs));
      recovery.start();
      await vi.advanceTimersByTimeAsync(7_500);
      await recovery.stop();
      expect(delays.length).toBeGreaterThanOrEqual(5);
      for (const delay of delays.slice(0, 5)) {
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(1_500);
      }
    }
  });

  it('gives up on an attempt after timeoutMs, aborting its signal, and carries on', async () => {
    const signals: AbortSignal[] = [];
    const recovery = exact({
      recover: (signal) => {
        signals.push(signal);
        return new Promise<boolean>(() => undefined);
      },
      timeoutMs: 50,
      baseDelayMs: 100,
    });
    const errors: unknown[] = [];
    recovery.onAttempt((event) => void errors.push(event.error));
    recovery.start();
    await vi.advanceTimersByTimeAsync(49);
    expect(signals[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(isTimeoutError(errors[0])).toBe(true);
    expect(recovery.status().lastError).toMatch(/TimeoutError/);
    await vi.advanceTimersByTimeAsync(100);
    expect(signals).toHaveLength(2);
    await recovery.stop();
  });

  it('takes any Recoverable', async () => {
    const connection = { recover: vi.fn(() => Promise.resolve(true)) };
    expect(isRecoverable(connection)).toBe(true);
    expect(isRecoverable({ recover: 1 })).toBe(false);
    expect(isRecoverable(null)).toBe(false);
    const recovery = new BackgroundRecovery({ recover: connection });
    recovery.start();
    await flush();
    expect(recovery.state).toBe('succeeded');
  });

  it('start() while recovering changes nothing; start() after success begins afresh', async () => {
    const { recover } = recorder(1);
    const recovery = exact({ recover, baseDelayMs: 100 });
    recovery.start();
    recovery.start();
    expect(recover).toHaveBeenCalledTimes(1);
    await flush();
    expect(recovery.state).toBe('succeeded');
    recovery.start();
    expect(recover).toHaveBeenCalledTimes(2);
    expect(recovery.attempts).toBe(1);
  });

  it('reports its transitions', async () => {
    const states: RecoveryState[] = [];
    const recovery = exact({ recover: () => Promise.resolve(false), maxAttempts: 1 });
    recovery.onStateChange(({ to }) => void states.push(to));
    recovery.start();
    await flush();
    recovery.resume();
    await flush();
    await recovery.stop();
    expect(states).toEqual(['recovering', 'paused', 'recovering', 'paused', 'idle']);
  });

  it('a throwing listener breaks nothing', async () => {
    const reported: unknown[] = [];
    onListenerError((error) => reported.push(error));
    const recovery = exact({
      recover: vi.fn().mockResolvedValueOnce(false).mockResolvedValue(true),
      baseDelayMs: 10,
      onSuccess: () => {
        throw new Error('listener bug');
      },
    });
    recovery.onAttempt(() => Promise.reject(new Error('async listener bug')));
    recovery.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(recovery.state).toBe('succeeded');
    await flush();
    expect(reported).toHaveLength(3);
  });
});

describe('BackgroundRecovery: safety valve', () => {
  it('pauses after maxAttempts and calls onPaused once', async () => {
    const onPaused = vi.fn();
    const { recover } = recorder();
    const recovery = exact({ recover, baseDelayMs: 10, maxDelayMs: 10, maxAttempts: 3, onPaused });
    recovery.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(recovery.state).toBe('paused');
    expect(recover).toHaveBeenCalledTimes(3);
    expect(onPaused).toHaveBeenCalledTimes(1);
    expect(onPaused).toHaveBeenCalledWith({ attempts: 3, elapsedMs: 20, reason: 'maxAttempts' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('pauses when maxTotalMs has passed, without waiting out a longer delay', async () => {
    const onPaused = vi.fn();
    const { calls, recover } = recorder();
    const recovery = exact({
      recover,
      baseDelayMs: 300,
      multiplier: 2,
      maxTotalMs: 1_000,
      onPaused,
    });
    const start = Date.now();
    recovery.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(recovery.state).toBe('recovering');
    await vi.advanceTimersByTimeAsync(1);
    expect(recovery.state).toBe('paused');
    expect(calls.map((t) => t - start)).toEqual([0, 300, 900]);
    expect(onPaused).toHaveBeenCalledWith({ attempts: 3, elapsedMs: 1_000, reason: 'maxTotalMs' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts the time attempts take against maxTotalMs', async () => {
    const onPaused = vi.fn();
    const recovery = exact({
      recover: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 400)),
      baseDelayMs: 10,
      maxTotalMs: 1_000,
      onPaused,
    });
    recovery.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(recovery.state).toBe('paused');
    expect(onPaused.mock.calls[0]?.[0]).toMatchObject({ reason: 'maxTotalMs', attempts: 3 });
  });

  it('resume() after a pause starts a fresh budget and can succeed', async () => {
    const { recover } = recorder(5);
    const recovery = exact({ recover, baseDelayMs: 10, maxDelayMs: 10, maxAttempts: 3 });
    recovery.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(recovery.state).toBe('paused');
    recovery.resume();
    expect(recovery.state).toBe('recovering');
    expect(recovery.attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(recovery.state).toBe('succeeded');
    expect(recover).toHaveBeenCalledTimes(5);
    expect(recovery.attempts).toBe(2);
  });

  it('resume() when not paused does nothing', async () => {
    const { recover } = recorder();
    const recovery = exact({ recover, baseDelayMs: 100 });
    recovery.resume();
    expect(recovery.state).toBe('idle');
    recovery.start();
    recovery.resume();
    expect(recover).toHaveBeenCalledTimes(1);
    await recovery.stop();
  });
});

describe('BackgroundRecovery: notifyConditionsChanged', () => {
  it('wakes a waiting loop at once', async () => {
    const { calls, recover } = recorder();
    const recovery = exact({ recover, baseDelayMs: 10_000 });
    const start = Date.now();
    recovery.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(1);
    recovery.notifyConditionsChanged();
    await flush();
    expect(calls.map((t) => t - start)).toEqual([0, 100]);
    await recovery.stop();
  });

  it('makes the next delay speedupFactor times as long, once', async () => {
    const { calls, recover } = recorder();
    const delays: (number | undefined)[] = [];
    const recovery = exact({ recover, baseDelayMs: 1_000, multiplier: 2, speedupFactor: 0.25 });
    recovery.onAttempt((event) => void delays.push(event.nextDelayMs));
    const start = Date.now();
    recovery.start();
    await vi.advanceTimersByTimeAsync(100);
    recovery.notifyConditionsChanged();
    // Attempt 2 runs at 100; its delay would be 2 000, a quarter of it is 500.
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    // Attempt 3's delay is back to the plain backoff (4 000).
    await vi.advanceTimersByTimeAsync(4_000);
    expect(calls.map((t) => t - start)).toEqual([0, 100, 600, 4_600]);
    expect(delays.slice(0, 3)).toEqual([1_000, 500, 4_000]);
    await recovery.stop();
  });

  it('without a notification the same loop waits the full delay', async () => {
    const { calls, recover } = recorder();
    const recovery = exact({ recover, baseDelayMs: 1_000, multiplier: 2 });
    const start = Date.now();
    recovery.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls.map((t) => t - start)).toEqual([0, 1_000, 3_000]);
    await recovery.stop();
  });

  it('a notification during an attempt shortens the delay that follows it', async () => {
    const gate = deferred<boolean>();
    const recover = vi.fn().mockReturnValueOnce(gate.promise).mockResolvedValue(false);
    const delays: (number | undefined)[] = [];
    const recovery = exact({ recover, baseDelayMs: 1_000, speedupFactor: 0.1 });
    recovery.onAttempt((event) => void delays.push(event.nextDelayMs));
    recovery.start();
    recovery.notifyConditionsChanged();
    gate.resolve(false);
    await flush();
    expect(delays).toEqual([100]);
    await recovery.stop();
  });

  it('does nothing unless recovering', () => {
    const { recover } = recorder();
    const recovery = exact({ recover });
    recovery.notifyConditionsChanged();
    expect(recover).not.toHaveBeenCalled();
    expect(recovery.state).toBe('idle');
  });
});

describe('BackgroundRecovery: stop', () => {
  it('stops during a wait: resolves, goes idle, leaves no timer and attempts no more', async () => {
    const { recover } = recorder();
    const recovery = exact({ recover, baseDelayMs: 10_000 });
    recovery.start();
    await flush();
    expect(vi.getTimerCount()).toBe(1);
    expect(recovery.status().nextAttemptAt).toBe(Date.now() + 10_000);
    await recovery.stop();
    expect(recovery.state).toBe('idle');
    expect(vi.getTimerCount()).toBe(0);
    expect(recovery.status().nextAttemptAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(recover).toHaveBeenCalledTimes(1);
  });

  it('stops during an attempt: aborts its signal, resolves without waiting for it, ignores its answer', async () => {
    const gate = deferred<boolean>();
    let signal: AbortSignal | undefined;
    const onSuccess = vi.fn();
    const recovery = exact({
      recover: (s) => {
        signal = s;
        return gate.promise;
      },
      timeoutMs: Infinity,
      onSuccess,
    });
    recovery.start();
    let stopped = false;
    const stopping = recovery.stop().then(() => {
      stopped = true;
    });
    expect(signal?.aborted).toBe(true);
    await stopping;
    expect(stopped).toBe(true);
    expect(recovery.state).toBe('idle');
    gate.resolve(true);
    await flush();
    expect(recovery.state).toBe('idle');
    expect(onSuccess).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() resolves only once the loop is over', async () => {
    const recovery = exact({ recover: () => false, baseDelayMs: 1_000 });
    recovery.start();
    await flush();
    const order: string[] = [];
    recovery.onAttempt(() => void order.push('attempt'));
    const stopping = recovery.stop().then(() => void order.push('stopped'));
    await stopping;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(order).toEqual(['stopped']);
  });

  it('is idempotent, before start, twice in a row and concurrently', async () => {
    const recovery = exact({ recover: () => false, baseDelayMs: 10 });
    await recovery.stop();
    recovery.start();
    const first = recovery.stop();
    const second = recovery.stop();
    await Promise.all([first, second]);
    await recovery.stop();
    expect(recovery.state).toBe('idle');
  });

  it('a paused recovery stops to idle', async () => {
    const recovery = exact({ recover: () => false, maxAttempts: 1 });
    recovery.start();
    await flush();
    expect(recovery.state).toBe('paused');
    await recovery.stop();
    expect(recovery.state).toBe('idle');
  });

  it('can start again after stop, and the old loop never interferes', async () => {
    const { calls, recover } = recorder();
    const recovery = exact({ recover, baseDelayMs: 100, multiplier: 1 });
    recovery.start();
    await vi.advanceTimersByTimeAsync(50);
    await recovery.stop();
    recovery.start();
    await vi.advanceTimersByTimeAsync(250);
    // One attempt from the first run, then 0, 100, 200 from the second (started at 50).
    expect(calls).toEqual([0, 50, 150, 250].map((t) => calls[0]! + t));
    await recovery.stop();
  });

  it('a listener may stop the loop from inside an event', async () => {
    const recovery = exact({ recover: () => false, baseDelayMs: 100 });
    recovery.onAttempt(() => void recovery.stop());
    recovery.start();
    await flush();
    expect(recovery.state).toBe('idle');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('BackgroundRecovery: options', () => {
  it.each([
    [
      { baseDelayMs: -1 },
      RangeError,
      'BackgroundRecovery: baseDelayMs must be a number ≥ 0 and ≤ 300000, got -1',
    ],
    [
      { baseDelayMs: 10, maxDelayMs: 5 },
      RangeError,
      'baseDelayMs must be a number ≥ 0 and ≤ 5, got 10',
    ],
    [
      { multiplier: 0.5 },
      RangeError,
      'BackgroundRecovery: multiplier must be a finite number ≥ 1, got 0.5',
    ],
    [{ jitter: 2 }, RangeError, 'BackgroundRecovery: jitter must be a number ≥ 0 and ≤ 1, got 2'],
    [
      { maxAttempts: 0 },
      RangeError,
      'BackgroundRecovery: maxAttempts must be an integer ≥ 1 (or Infinity), got 0',
    ],
    [
      { maxTotalMs: 0 },
      RangeError,
      'BackgroundRecovery: maxTotalMs must be a number > 0 (or Infinity), got 0',
    ],
    [
      { speedupFactor: 1.5 },
      RangeError,
      'BackgroundRecovery: speedupFactor must be a number ≥ 0 and ≤ 1, got 1.5',
    ],
    [
      { timeoutMs: 3e9 },
      RangeError,
      'BackgroundRecovery: timeoutMs must be a number > 0 and ≤ 2147483647 (or Infinity), got 3000000000',
    ],
    [{ random: 0.5 }, TypeError, 'BackgroundRecovery: random must be a function, got 0.5'],
    [
      { recover: {} },
      TypeError,
      'BackgroundRecovery: recover must be a function or an object with a recover() method, got an object',
    ],
  ])('rejects %o', (bad, errorClass, message) => {
    const options = { recover: () => true, ...bad } as unknown as BackgroundRecoveryOptions;
    expect(() => new BackgroundRecovery(options)).toThrow(errorClass);
    expect(() => new BackgroundRecovery(options)).toThrow(message);
  });
});
