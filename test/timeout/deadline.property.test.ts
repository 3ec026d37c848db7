import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError, timeout, type TimeoutMode } from '../../src/core/index.js';
import { flush, type Deferred, type Observed } from '../support/promises.js';
import { startCall } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** One step of a random schedule: start a call, finish the n-th still running one, or let time pass. */
type Step = { kind: 'start' } | { kind: 'finish'; pick: number } | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'start' }),
  fc.nat({ max: 1_000 }).map<Step>((pick) => ({ kind: 'finish', pick })),
  fc.integer({ min: 0, max: 40 }).map<Step>((ms) => ({ kind: 'wait', ms })),
);

interface Running {
  readonly startedAt: number;
  readonly work: Deferred<number>;
  readonly call: Observed<number>;
  readonly signal: () => AbortSignal | undefined;
  finishedAt: number | undefined;
}

describe.each(['cooperative', 'aggressive'] as TimeoutMode[])(
  'timeout deadlines under random schedules (%s)',
  (mode) => {
    it('cuts short exactly the calls still running at start + ms, with one timer at most', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 60 }),
          fc.array(step, { maxLength: 120 }),
          async (ms, steps) => {
            vi.clearAllTimers(); // a failed run may have left its policy's timer
            const policy = timeout({ ms, mode });
            const calls: Running[] = [];
            for (const s of steps) {
              if (s.kind === 'start') {
                const running: Running = {
                  startedAt: Date.now(),
                  ...startCall<number>(policy),
                  finishedAt: undefined,
                };
                calls.push(running);
              } else if (s.kind === 'finish') {
                const open = calls.filter((c) => c.finishedAt === undefined);
                const chosen = open[s.pick % Math.max(open.length, 1)];
                if (chosen !== undefined) {
                  chosen.finishedAt = Date.now();
                  chosen.work.resolve(1);
                }
                await flush();
              } else {
                await vi.advanceTimersByTimeAsync(s.ms);
              }
              expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
              const now = Date.now();
              for (const c of calls) {
                const deadline = c.startedAt + ms;
                // Cut short iff the deadline came while it was still running.
                const due =
                  now >= deadline && (c.finishedAt === undefined || c.finishedAt >= deadline);
                expect(c.signal()?.aborted).toBe(due);
              }
            }
            for (const c of calls) c.work.resolve(1);
            await flush();
            for (const c of calls) {
              if (c.signal()?.aborted === true) expect(c.call.error()).toBeInstanceOf(TimeoutError);
              else expect(c.call.value()).toBe(1);
            }
            await vi.advanceTimersByTimeAsync(ms);
            expect(policy.pendingCalls).toBe(0);
            expect(vi.getTimerCount()).toBe(0);
          },
        ),
        { numRuns: 60 },
      );
    });
  },
);
