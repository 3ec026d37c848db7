import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constant, retry, retryBudget } from '../../src/core/index.js';
import { transient } from './helpers.js';
import { settle } from '../support/promises.js';

describe('retryBudget', () => {
  it('allows ratio × calls + the floor over the window', () => {
    let now = 0;
    const budget = retryBudget({
      ratio: 0.2,
      minRetriesPerSecond: 0,
      windowMs: 10_000,
      clock: { now: () => now },
    });
    expect(budget.tryRetry()).toBe(false);
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.available()).toBe(2);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    now = 9_999;
    expect(budget.tryRetry()).toBe(false);
    now = 10_000; // the calls' bucket has left the window
    expect(budget.available()).toBe(0);
    for (let i = 0; i < 5; i++) budget.recordCall();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });

  it("Envoy's defaults: 20 % of calls, at least 3 retries per second", () => {
    let now = 1_000_000;
    const budget = retryBudget({ clock: { now: () => now } });
    // A quiet service: 30 retries per 10 s window from the floor alone.
    let granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(30);
    now += 10_000;
    for (let i = 0; i < 1000; i++) budget.recordCall();
    granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(230);
  });

  it('the window slides by tenths', () => {
    let now = 0;
    const budget = retryBudget({
      ratio: 1,
      minRetriesPerSecond: 0,
      windowMs: 1000,
      clock: { now: () => now },
    });
    budget.recordCall(); // bucket [0, 100)
    now = 500;
    budget.recordCall(); // bucket [500, 600)
    now = 999;
    expect(budget.available()).toBe(2);
    now = 1000;
    expect(budget.available()).toBe(1);
    now = 1500;
    expect(budget.available()).toBe(0);
  });

  it('validates its options', () => {
    expect(() => retryBudget({ ratio: -0.1 })).toThrow(
      'retryBudget: ratio must be a finite number ≥ 0, got -0.1',
    );
    expect(() => retryBudget({ minRetriesPerSecond: Number.NaN })).toThrow(
      new RangeError('retryBudget: minRetriesPerSecond must be a finite number ≥ 0, got NaN'),
    );
    expect(() => retryBudget({ windowMs: 0 })).toThrow(
      'retryBudget: windowMs must be a finite number ≥ 1, got 0',
    );
  });

  it('property: grants exactly what a reference model of the window allows, never more', () => {
    const windowMs = 1000;
    const bucketMs = windowMs / 10;
    type Op = { kind: 'call' } | { kind: 'retry' } | { kind: 'advance'; ms: number };
    const op = fc.oneof(
      fc.constant<Op>({ kind: 'call' }),
      fc.constant<Op>({ kind: 'retry' }),
      fc.integer({ min: 0, max: 700 }).map<Op>((ms) => ({ kind: 'advance', ms })),
    );
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(op, { maxLength: 300 }),
        (ratio, minPerSecond, ops) => {
          let now = 0;
          const budget = retryBudget({
            ratio,
            minRetriesPerSecond: minPerSecond,
            windowMs,
            clock: { now: () => now },
          });
          const calls: number[] = [];
          const retries: number[] = [];
          const inWindow = (times: number[]): number => {
            const bucket = Math.floor(now / bucketMs);
            return times.filter((t) => Math.floor(t / bucketMs) > bucket - 10).length;
          };
          for (const step of ops) {
            if (step.kind === 'advance') now += step.ms;
            else if (step.kind === 'call') {
              budget.recordCall();
              calls.push(now);
            } else {
              const allowance = ratio * inWindow(calls) + minPerSecond * (windowMs / 1000);
              const expected = allowance - inWindow(retries) >= 1;
              expect(budget.tryRetry()).toBe(expected);
              if (!expected) continue;
              retries.push(now);
              // When granted, never more than the allowance. (Later, the calls it was granted
              // on may leave the window before the retry does: the bound holds at grant time.)
              expect(inWindow(retries)).toBeLessThanOrEqual(
                ratio * inWindow(calls) + minPerSecond + 1e-9,
              );
            }
          }
        },
      ),
      { seed: -422647613, numRuns: 200 },
    );
  });
});

describe('retry with a budget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('a shared budget caps retries across policies during an outage', async () => {
    const budget = retryBudget({ ratio: 0.2, minRetriesPerSecond: 0 });
    const a = retry({ budget, backoff: constant(1) });
    const b = retry({ budget, backoff: constant(1) });
    const gaveUp: string[] = [];
    a.onGiveUp((e) => {
      gaveUp.push(e.reason);
    });
    b.onGiveUp((e) => {
      gaveUp.push(e.reason);
    });
    let calls = 0;
    const down = () => {
      calls++;
      return Promise.reject(transient());
    };
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => settle((i % 2 === 0 ? a : b).execute(down))),
    );
    expect(outcomes.every((o) => !o.ok)).toBe(true);
    // 20 calls → 4 retries in the window, not 40.
    expect(calls).toBe(24);
    // Every call ends on the budget: 16 at their first failure, the 4 retried at their second.
    expect(gaveUp).toEqual(Array.from({ length: 20 }, () => 'budget'));
  });
});
