import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exponential, retry, retryBudget, type Jitter } from '../../src/core/index.js';
import { permanent, transient } from './helpers.js';
import { settle } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const jitter = fc.oneof(
  fc.constantFrom<Jitter>('none', 'full', 'equal', 'decorrelated'),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
/** What each attempt does: fail transiently, fail permanently, succeed, taking some ms. */
const attemptScript = fc.array(
  fc.record({
    outcome: fc.constantFrom('transient', 'transient', 'transient', 'permanent', 'ok'),
    ms: fc.integer({ min: 0, max: 300 }),
  }),
  { maxLength: 15 },
);

describe('retry properties', () => {
  it('never exceeds maxAttempts, never starts an attempt past maxElapsedMs, stops at a permanent error or a success', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 500 }),
        jitter,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        attemptScript,
        async (maxAttempts, maxElapsedMs, initialMs, mode, r, script) => {
          const backoff = exponential({
            initialMs,
            maxMs: initialMs * 8,
            jitter: mode,
            random: () => r,
          });
          const policy = retry({
            maxAttempts,
            backoff,
            ...(maxElapsedMs === undefined ? {} : { maxElapsedMs }),
          });
          const starts: number[] = [];
          const attempts: number[] = [];
          const fn = async (ctx: { attempt: number }) => {
            attempts.push(ctx.attempt);
            starts.push(Date.now());
            const step = script[starts.length - 1] ?? { outcome: 'transient', ms: 0 };
            await new Promise((resolve) => setTimeout(resolve, step.ms));
            if (step.outcome === 'ok') return 'ok';
            throw step.outcome === 'permanent' ? permanent() : transient();
          };
          const outcome = await settle(policy.execute(fn));
          expect(starts.length).toBeGreaterThanOrEqual(1);
          expect(attempts).toEqual(starts.map((_, i) => i + 1));
          expect(starts.length).toBeLessThanOrEqual(maxAttempts);
          if (maxElapsedMs !== undefined) {
            for (const at of starts)
              expect(at - (starts[0] ?? 0)).toBeLessThanOrEqual(maxElapsedMs);
          }
          const stepsRun = script.slice(0, starts.length);
          const decisive = stepsRun.findIndex((s) => s.outcome !== 'transient');
          if (decisive !== -1) {
            expect(starts.length).toBe(decisive + 1);
            expect(outcome.ok).toBe(stepsRun[decisive]?.outcome === 'ok');
          } else {
            expect(outcome.ok).toBe(false);
          }
          for (let i = 1; i < starts.length; i++) {
            const gap = (starts[i] ?? 0) - (starts[i - 1] ?? 0);
            expect(gap).toBeLessThanOrEqual((script[i - 1]?.ms ?? 0) + backoff.maxMs + 1);
          }
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a shared budget is never exceeded: retries ≤ ratio × calls + floor within the window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 5 }),
        async (ratio, minPerSecond, callers, maxAttempts) => {
          const budget = retryBudget({
            ratio,
            minRetriesPerSecond: minPerSecond,
            windowMs: 60_000,
          });
          const policy = retry({
            maxAttempts,
            budget,
            backoff: exponential({ initialMs: 10, jitter: 'none' }),
          });
          let calls = 0;
          const down = () => {
            calls++;
            return Promise.reject(transient());
          };
          await Promise.all(Array.from({ length: callers }, () => settle(policy.execute(down))));
          const retries = calls - callers;
          expect(retries).toBeLessThanOrEqual(
            Math.floor(ratio * callers + minPerSecond * 60 + 1e-9),
          );
          expect(retries).toBeLessThanOrEqual(callers * (maxAttempts - 1));
        },
      ),
      { numRuns: 100 },
    );
  });
});
