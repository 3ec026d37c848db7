import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PermanentError,
  TransientError,
  circuitBreaker,
  consecutive,
  constant,
  pipeline,
  retry,
  type Context,
} from '../../src/core/index.js';
import { RUN, rootContext, type ComposablePolicy } from '../../src/core/policy.js';
import { runThen } from '../../src/core/run-then.js';

/** What one attempt does: answer, fail in one of the ways a caller's function fails, or throw. */
type Step = 'ok' | 'transient' | 'permanent' | 'throws';

const step = fc.constantFrom<Step>('ok', 'transient', 'permanent', 'throws');

/** A retry around a breaker, on a clock the test moves (the breaker's open time). */
function twin(now: () => number): { policy: ComposablePolicy; state: () => string } {
  const breaker = circuitBreaker({ trip: consecutive(3), openMs: 1_000, clock: { now } });
  const policy = pipeline(retry({ maxAttempts: 3, backoff: constant(0) }), breaker);
  return { policy: policy as unknown as ComposablePolicy, state: () => breaker.state };
}

/** A function whose attempts do `steps` in turn (then answer), counting its attempts. */
function scripted(steps: Step[]): { fn: (ctx: Context) => Promise<number>; log: string[] } {
  const log: string[] = [];
  let next = 0;
  const fn = (ctx: Context): Promise<number> => {
    const what = steps[next++] ?? 'ok';
    log.push(what);
    if (what === 'throws') throw new TypeError('thrown');
    if (what === 'transient') return Promise.reject(new TransientError('transient'));
    if (what === 'permanent') return Promise.reject(new PermanentError('permanent'));
    return Promise.resolve(ctx.attempt);
  };
  return { fn, log };
}

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

describe('runThen, as a property', () => {
  it('settles every call of any run as [RUN] then .then does, leaving the breaker in the same state', async () => {
    const reached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ steps: fc.array(step, { maxLength: 4 }), advanceMs: fc.nat(1_500) }), {
          minLength: 1,
          maxLength: 25,
        }),
        async (calls) => {
          let time = 0;
          const now = (): number => time;
          const fused = twin(now);
          const plain = twin(now);
          for (const { steps, advanceMs } of calls) {
            time += advanceMs;
            const a = scripted(steps);
            const b = scripted(steps);
            const viaRunThen = await runThen(
              fused.policy,
              a.fn,
              rootContext(undefined),
              (value) => `value ${String(value)}`,
              (error) => `error ${describeError(error)}`,
            );
            let pending: Promise<number>;
            try {
              pending = plain.policy[RUN](b.fn, rootContext(undefined));
            } catch (error) {
              pending = Promise.reject(error);
            }
            const viaRun = await pending.then(
              (value) => `value ${String(value)}`,
              (error: unknown) => `error ${describeError(error)}`,
            );
            expect(viaRunThen).toBe(viaRun);
            expect(a.log).toEqual(b.log);
            expect(fused.state()).toBe(plain.state());
            reached.add(fused.state());
          }
        },
      ),
      { numRuns: 200 },
    );
    // The runs reach the breaker's other states too, where runThen takes the plain path.
    expect(reached).toEqual(new Set(['closed', 'open', 'half-open']));
  });
});
