import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hedge } from '../../src/core/hedge/hedge.js';
import { NOT_WAITING, type HedgeWaiter } from '../../src/core/hedge/waiter-list.js';
import { HedgeTicker } from '../../src/core/hedge/ticker.js';
import type { Context } from '../../src/core/policy.js';
import { deferred, type Deferred } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A waiter that records the clock when its hedge comes due. */
function waiter(fired: number[]): HedgeWaiter {
  return {
    deadline: NOT_WAITING,
    prev: undefined,
    next: undefined,
    hedgeDue: () => fired.push(Date.now()),
  };
}

describe('hedge ticker (fixed delays timed without a clock read per call)', () => {
  it('hedges the call that starts the ticking exactly delayMs later, whatever the delay', async () => {
    for (const delayMs of [0, 1, 5, 7, 8, 100, 333]) {
      const ticker = new HedgeTicker(delayMs, () => Date.now());
      const fired: number[] = [];
      const start = Date.now();
      ticker.begin(waiter(fired), true);
      await vi.advanceTimersByTimeAsync(delayMs);
      expect(fired).toEqual([start + delayMs]);
      await vi.advanceTimersByTimeAsync(delayMs + 10);
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it('hedges a call started between two ticks no sooner than delayMs, at most one tick later', async () => {
    const ticker = new HedgeTicker(80, () => Date.now());
    const start = Date.now();
    const first: number[] = [];
    const second: number[] = [];
    ticker.begin(waiter(first), true);
    await vi.advanceTimersByTimeAsync(5);
    ticker.begin(waiter(second), true);
    expect(ticker.pending).toBe(2);
    await vi.advanceTimersByTimeAsync(80);
    // The first started the ticking: due at 80. The second started at 5, mid-tick: due at
    // the first tick at or after 85, which is 90 (ticks are 10 ms).
    expect(first).toEqual([start + 80]);
    expect(second).toEqual([]);
    await vi.advanceTimersByTimeAsync(5);
    expect(second).toEqual([start + 90]);
    expect(ticker.pending).toBe(0);
  });

  it('for any delay and start times, hedges in [start + delayMs, start + delayMs + one tick]', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 400 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 8 }),
        async (delayMs, gaps) => {
          vi.setSystemTime(0);
          vi.clearAllTimers();
          const ticker = new HedgeTicker(delayMs, () => Date.now());
          const tick = Math.max(1, delayMs / Math.max(1, Math.min(8, delayMs)));
          const calls: { start: number; fired: number[] }[] = [];
          for (const gap of gaps) {
            await vi.advanceTimersByTimeAsync(gap);
            const fired: number[] = [];
            calls.push({ start: Date.now(), fired });
            ticker.begin(waiter(fired), true);
          }
          await vi.advanceTimersByTimeAsync(2 * delayMs + 20);
          for (const { start, fired } of calls) {
            expect(fired).toHaveLength(1);
            const waited = (fired[0] ?? 0) - start;
            expect(waited).toBeGreaterThanOrEqual(delayMs);
            expect(waited).toBeLessThanOrEqual(delayMs + Math.ceil(tick));
          }
          await vi.advanceTimersByTimeAsync(delayMs + 10);
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads the clock only when the ticking starts and once per tick, never per call', async () => {
    let reads = 0;
    const clock = {
      now: () => {
        reads++;
        return Date.now();
      },
    };
    const policy = hedge({ delayMs: 100, clock });
    reads = 0; // construction reads it once, to check it tells the time
    for (let i = 0; i < 50; i++) await policy.execute(() => i);
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(vi.getTimerCount()).toBe(0);
    expect(reads).toBe(1);
  });

  it('times a hedge started after a failure from then, and reports delays to within a tick', async () => {
    const policy = hedge({ delayMs: 80, maxHedges: 2, on: () => true });
    const events: { attempt: number; delayMs: number }[] = [];
    policy.onHedge((event) => events.push(event));
    const gates: Deferred<string>[] = [];
    const signals: AbortSignal[] = [];
    const call = policy.execute((ctx: Context) => {
      const gate = deferred<string>();
      gates.push(gate);
      signals.push(ctx.signal);
      return gate.promise;
    });
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(25);
    // The primary fails 25 ms in, alone: the first hedge starts at once, between two ticks.
    gates[0]?.reject(new Error('primary failed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(gates).toHaveLength(2);
    expect(events[0]?.attempt).toBe(2);
    expect(Math.abs((events[0]?.delayMs ?? 0) - 25)).toBeLessThanOrEqual(10);
    // The next one comes no sooner than 80 ms after it, and at most a tick (10 ms) later.
    await vi.advanceTimersByTimeAsync(79);
    expect(gates).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(11);
    expect(gates).toHaveLength(3);
    expect(Date.now() - start).toBeLessThanOrEqual(25 + 80 + 10);
    expect(events[1]?.attempt).toBe(3);
    expect(Math.abs((events[1]?.delayMs ?? 0) - 80)).toBeLessThanOrEqual(10);
    gates[2]?.resolve('third');
    await expect(call).resolves.toBe('third');
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true, false]);
    expect(policy.waiting).toBe(0);
  });
});
