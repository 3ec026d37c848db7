import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PermanentError } from '../../src/core/errors/index.js';
import { hedge } from '../../src/core/hedge/hedge.js';
import { LatencyWindow } from '../../src/core/hedge/latency-window.js';
import { HedgeScheduler } from '../../src/core/hedge/scheduler.js';
import { NOT_WAITING, type HedgeWaiter } from '../../src/core/hedge/waiter-list.js';
import type { Context } from '../../src/core/policy.js';
import { deferred, type Deferred, flush, outcome } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A function whose calls the test answers one by one, keeping each call's context. */
function scripted<T>(): {
  fn: (ctx: Context) => Promise<T>;
  calls: { ctx: Context; gate: Deferred<T> }[];
} {
  const calls: { ctx: Context; gate: Deferred<T> }[] = [];
  return {
    calls,
    fn: (ctx) => {
      const gate = deferred<T>();
      calls.push({ ctx, gate });
      return gate.promise;
    },
  };
}

describe('hedge', () => {
  it('makes one call when the primary answers within the delay', async () => {
    const policy = hedge({ delayMs: 100 });
    const { fn, calls } = scripted<string>();
    const call = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(99);
    calls[0]?.gate.resolve('primary');
    await expect(call).resolves.toBe('primary');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(1);
    expect(policy.waiting).toBe(0);
  });

  it('starts a hedge when the primary is slow; the hedge wins and the primary’s signal aborts', async () => {
    const policy = hedge({ delayMs: 100 });
    const started: unknown[] = [];
    policy.onHedge((event) => started.push(event));
    const { fn, calls } = scripted<string>();
    const call = policy.executeDetailed(fn);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(2);
    expect(started).toEqual([{ attempt: 2, delayMs: 100 }]);
    const primarySignal = calls[0]?.ctx.signal;
    expect(primarySignal?.aborted).toBe(false);
    calls[1]?.gate.resolve('hedge');
    await expect(call).resolves.toMatchObject({ value: 'hedge', attempts: 2, source: 'primary' });
    expect(primarySignal?.aborted).toBe(true);
    expect(calls[1]?.ctx.signal.aborted).toBe(false);
    // The loser answering later changes nothing.
    calls[0]?.gate.resolve('late primary');
    await flush();
  });

  it('gives each call without a signal its own signals: one call losing attempts aborts nothing of another', async () => {
    const policy = hedge({ delayMs: 100 });
    const { fn, calls } = scripted<string>();
    const first = policy.execute(fn);
    const second = policy.execute(fn);
    // The second started after the ticking had: its hedge is due up to one tick (13 ms) later.
    await vi.advanceTimersByTimeAsync(113);
    expect(calls).toHaveLength(4);
    const signals = calls.map((call) => call.ctx.signal);
    expect(new Set(signals).size).toBe(4);
    // The first call's hedge wins: its primary aborts, the second call's attempts do not.
    calls[2]?.gate.resolve('first, hedge');
    await expect(first).resolves.toBe('first, hedge');
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false, false, false]);
    calls[1]?.gate.resolve('second, primary');
    await expect(second).resolves.toBe('second, primary');
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false, false, true]);
  });

  it('fails with both errors when both attempts fail', async () => {
    const policy = hedge({ delayMs: 100 });
    const { fn, calls } = scripted<string>();
    const call = outcome(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(100);
    calls[1]?.gate.reject(new Error('hedge failed'));
    await flush();
    // One failure does not fail the call while the other may still succeed.
    calls[0]?.gate.reject(new Error('primary failed'));
    const result = await call;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(AggregateError);
    expect((result.error as AggregateError).errors).toEqual([
      new Error('hedge failed'),
      new Error('primary failed'),
    ]);
  });

  it('a primary that fails early lets a hedge start at once; that hedge can win', async () => {
    const policy = hedge({ delayMs: 100 });
    const { fn, calls } = scripted<string>();
    const call = policy.execute(fn);
    calls[0]?.gate.reject(new Error('primary failed fast'));
    await flush();
    expect(calls).toHaveLength(2);
    calls[1]?.gate.resolve('hedge');
    await expect(call).resolves.toBe('hedge');
  });

  it('fails at once, aborting the others, on an error that leaves no room for another attempt', async () => {
    const policy = hedge({ delayMs: 100 });
    const { fn, calls } = scripted<string>();
    const call = outcome(policy.execute(fn));
    await vi.advanceTimersByTimeAsync(100);
    const badRequest = new PermanentError('400 bad request');
    calls[1]?.gate.reject(badRequest);
    expect(await call).toEqual({ ok: false, error: badRequest });
    expect(calls[0]?.ctx.signal.aborted).toBe(true);

    // A permanent failure of the primary starts no hedge; `on` widens what is hedged.
    const early = hedge({ delayMs: 100 });
    const first = scripted<string>();
    const failing = outcome(early.execute(first.fn));
    first.calls[0]?.gate.reject(badRequest);
    expect(await failing).toEqual({ ok: false, error: badRequest });
    await vi.advanceTimersByTimeAsync(200);
    expect(first.calls).toHaveLength(1);

    const lenient = hedge({ delayMs: 100, on: () => true });
    const second = scripted<string>();
    const rescued = lenient.execute(second.fn);
    second.calls[0]?.gate.reject(badRequest);
    await flush();
    second.calls[1]?.gate.resolve('second try');
    await expect(rescued).resolves.toBe('second try');
  });

  it('starts up to maxHedges hedges, one per delay', async () => {
    const policy = hedge({ delayMs: 50, maxHedges: 2 });
    const { fn, calls } = scripted<number>();
    const call = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(50);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(50);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(3);
    calls[0]?.gate.resolve(0);
    await expect(call).resolves.toBe(0);
    expect(calls.slice(1).map((c) => c.ctx.signal.aborted)).toEqual([true, true]);
  });

  it('stops at once when the caller aborts, aborting every attempt and starting no hedge', async () => {
    const policy = hedge({ delayMs: 100 });
    const { fn, calls } = scripted<string>();
    const controller = new AbortController();
    const call = outcome(policy.execute(fn, controller.signal));
    const signal = calls[0]?.ctx.signal;
    controller.abort(new Error('caller left'));
    expect(await call).toEqual({ ok: false, error: new Error('caller left') });
    expect(signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(1);
  });

  it('leaves no timer behind once its calls are done and the last delay has passed', async () => {
    const policy = hedge({ delayMs: 100 });
    await Promise.all([1, 2, 3].map((n) => policy.execute(() => n)));
    expect(policy.waiting).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('in percentile mode, hedges after the chosen percentile of recent latencies', async () => {
    const policy = hedge({
      delayMs: { percentile: 90, initialMs: 500, minSamples: 5, window: 10 },
    });
    expect(policy.delayMs).toBe(500);
    for (const latency of [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) {
      const call = policy.execute(() => new Promise((resolve) => setTimeout(resolve, latency)));
      await vi.advanceTimersByTimeAsync(latency);
      await call;
    }
    expect(policy.delayMs).toBe(90);
    const { fn, calls } = scripted<string>();
    const call = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(89);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    calls[0]?.gate.resolve('done');
    await call;
  });

  it('its scheduler starts hedges in deadline order, even when deadlines arrive out of order', async () => {
    const fired: string[] = [];
    const scheduler = new HedgeScheduler(
      () => Date.now(),
      () => 0,
    );
    const waiter = (name: string): HedgeWaiter => ({
      deadline: NOT_WAITING,
      prev: undefined,
      next: undefined,
      hedgeDue: () => fired.push(`${name}@${Date.now()}`),
    });
    const start = Date.now();
    const [a, b, c, d] = [waiter('a'), waiter('b'), waiter('c'), waiter('d')];
    scheduler.schedule(a, start + 100);
    scheduler.schedule(b, start + 50);
    scheduler.schedule(c, start + 75);
    scheduler.schedule(d, start + 60);
    scheduler.unschedule(d);
    expect(scheduler.pending).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual([`b@${start + 50}`, `c@${start + 75}`, `a@${start + 100}`]);
    expect(scheduler.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a bounded window of latencies', () => {
    const window = new LatencyWindow(4, 50);
    for (const ms of [1000, 1000, 1000, 1000, 1, 2, 3, 4]) window.record(ms);
    expect(window.length).toBe(4);
    expect(window.value()).toBe(2);
  });

  it('validates its options', () => {
    expect(() => hedge({ delayMs: -1 })).toThrow(
      new RangeError('hedge: delayMs must be a finite number ≥ 0, got -1'),
    );
    expect(() => hedge({ delayMs: 10, maxHedges: 0 })).toThrow(
      'hedge: maxHedges must be an integer ≥ 1 and ≤ 100, got 0',
    );
    expect(() => hedge({ delayMs: { percentile: 0, initialMs: 10 } })).toThrow(
      'hedge: delayMs.percentile must be a number > 0 and ≤ 100, got 0',
    );
    expect(() => hedge({ delayMs: 'fast' as never })).toThrow(TypeError);
  });
});
