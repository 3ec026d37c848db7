import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Bulkhead, bulkhead } from '../../src/core/bulkhead/bulkhead.js';
import { BulkheadRejectedError, isBulkheadRejectedError } from '../../src/core/errors/index.js';
import { deferred, type Deferred, flush, outcome } from '../support/promises.js';

describe('bulkhead', () => {
  it('with maxConcurrent 2 and maxQueue 3, of 10 callers 2 run, 3 wait in order and 5 are rejected', async () => {
    const policy = bulkhead({ maxConcurrent: 2, maxQueue: 3 });
    const gates: Deferred<number>[] = [];
    const started: number[] = [];
    const rejected: number[] = [];
    policy.onRejected(() => rejected.push(1));
    const calls = Array.from({ length: 10 }, (_, i) =>
      outcome(
        policy.execute(() => {
          started.push(i);
          const gate = deferred<number>();
          gates[i] = gate;
          return gate.promise;
        }),
      ),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect(policy.executing).toBe(2);
    expect(policy.queued).toBe(3);
    expect(rejected).toHaveLength(5);

    gates[1]?.resolve(1);
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.resolve(0);
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[3]?.resolve(3);
    await flush();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    for (const i of [2, 4]) gates[i]?.resolve(i);

    const results = await Promise.all(calls);
    expect(results.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((value) => ({ ok: true, value })));
    for (const result of results.slice(5)) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toBeInstanceOf(BulkheadRejectedError);
        expect(isBulkheadRejectedError(result.error)).toBe(true);
      }
    }
    expect(policy.executing).toBe(0);
    expect(policy.queued).toBe(0);
  });

  it('an aborted waiter leaves the queue at once and frees its place', async () => {
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred<string>();
    const running = policy.execute(() => gate.promise);
    const controller = new AbortController();
    let waiterRan = false;
    const waiting = outcome(
      policy.execute(() => {
        waiterRan = true;
        return 'waiter';
      }, controller.signal),
    );
    expect(policy.queued).toBe(1);
    await expect(policy.execute(() => 'third')).rejects.toBeInstanceOf(BulkheadRejectedError);

    controller.abort(new Error('caller gave up'));
    expect(policy.queued).toBe(0);
    const aborted = await waiting;
    expect(aborted).toEqual({ ok: false, error: new Error('caller gave up') });

    // The freed place takes a new waiter, which runs after the running call, not the aborted one.
    const next = policy.execute(() => 'next');
    expect(policy.queued).toBe(1);
    gate.resolve('first');
    await expect(running).resolves.toBe('first');
    await expect(next).resolves.toBe('next');
    expect(waiterRan).toBe(false);
    expect(policy.executing).toBe(0);
  });

  it('releases its slot when the call fails or throws synchronously', async () => {
    const policy = bulkhead({ maxConcurrent: 1 });
    await expect(policy.execute(() => Promise.reject(new Error('async')))).rejects.toThrow('async');
    await expect(
      policy.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(policy.execute(() => 'ok')).resolves.toBe('ok');
    expect(policy.executing).toBe(0);
  });

  it('rejects a caller whose signal is already aborted without queueing it', async () => {
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 5 });
    const gate = deferred<void>();
    const running = policy.execute(() => gate.promise);
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(policy.execute(() => 1, controller.signal)).rejects.toThrow('gone');
    expect(policy.queued).toBe(0);
    gate.resolve();
    await running;
  });

  it('leaves no listener on a signal once a waiter has started', async () => {
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred<void>();
    const running = policy.execute(() => gate.promise);
    const controller = new AbortController();
    const signal = controller.signal;
    const add = vi.spyOn(signal, 'addEventListener');
    const remove = vi.spyOn(signal, 'removeEventListener');
    const waiting = policy.execute(() => 'ran', signal);
    gate.resolve();
    await running;
    await expect(waiting).resolves.toBe('ran');
    expect(add).toHaveBeenCalledTimes(1);
    expect(remove).toHaveBeenCalledTimes(1);
    expect(remove.mock.calls[0]?.[1]).toBe(add.mock.calls[0]?.[1]);
  });

  it('validates its options with messages naming the option, the value and the range', () => {
    expect(() => bulkhead({ maxConcurrent: 0 })).toThrow(
      new RangeError('bulkhead: maxConcurrent must be an integer ≥ 1, got 0'),
    );
    expect(() => bulkhead({ maxConcurrent: 1.5 })).toThrow(RangeError);
    expect(() => bulkhead({ maxConcurrent: 2, maxQueue: -1 })).toThrow(
      'bulkhead: maxQueue must be an integer ≥ 0 (or Infinity), got -1',
    );
    expect(bulkhead({ maxConcurrent: 2, maxQueue: Infinity }).maxQueue).toBe(Infinity);
  });

  it('never runs more than maxConcurrent calls, whatever the order of arrivals, aborts and completions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.constantFrom('call', 'finish', 'abort'), { maxLength: 40 }),
        async (maxConcurrent, maxQueue, steps) => {
          const policy = new Bulkhead({ maxConcurrent, maxQueue });
          let running = 0;
          let peak = 0;
          const gates: Deferred<void>[] = [];
          const controllers: AbortController[] = [];
          const calls: Promise<unknown>[] = [];
          for (const step of steps) {
            if (step === 'call') {
              const controller = new AbortController();
              controllers.push(controller);
              calls.push(
                outcome(
                  policy.execute(() => {
                    running++;
                    peak = Math.max(peak, running);
                    const gate = deferred<void>();
                    gates.push(gate);
                    return gate.promise.finally(() => running--);
                  }, controller.signal),
                ),
              );
            } else if (step === 'finish') {
              gates.shift()?.resolve();
            } else {
              controllers.shift()?.abort();
            }
            await flush();
            expect(policy.executing).toBeLessThanOrEqual(maxConcurrent);
            expect(policy.queued).toBeLessThanOrEqual(maxQueue);
          }
          while (gates.length > 0 || policy.executing > 0) {
            gates.shift()?.resolve();
            await flush();
          }
          await Promise.all(calls);
          expect(peak).toBeLessThanOrEqual(maxConcurrent);
          expect(policy.executing).toBe(0);
          expect(policy.queued).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
