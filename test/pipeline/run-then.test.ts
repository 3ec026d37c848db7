import { describe, expect, it } from 'vitest';
import {
  PermanentError,
  TransientError,
  circuitBreaker,
  constant,
  pipeline,
  retry,
  type Context,
} from '../../src/core/index.js';
import { RUN, rootContext, type ComposablePolicy, type Operation } from '../../src/core/policy.js';
import { runThen } from '../../src/core/run-then.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What `runThen` settles with, through handlers that tag the outcome. */
function viaRunThen<T>(policy: ComposablePolicy, fn: Operation<T>): Promise<Outcome> {
  return runThen(
    policy,
    fn,
    rootContext(undefined),
    (value): Outcome => ({ ok: true, value }),
    (error): Outcome => ({ ok: false, error }),
  );
}

/** The same, the plain way: `[RUN]` then `.then`, a synchronous throw rejecting. */
function viaRun<T>(policy: ComposablePolicy, fn: Operation<T>): Promise<Outcome> {
  let pending: Promise<T>;
  try {
    pending = policy[RUN](fn, rootContext(undefined));
  } catch (error) {
    pending = Promise.reject(error);
  }
  return pending.then(
    (value): Outcome => ({ ok: true, value }),
    (error): Outcome => ({ ok: false, error }),
  );
}

const retryThenBreaker = (options: Parameters<typeof retry>[0] = {}) =>
  pipeline(
    retry({ maxAttempts: 3, backoff: constant(0), ...options }),
    circuitBreaker(),
  ) as unknown as ComposablePolicy;

/** A function failing with `errors` in turn, then answering its attempt number. */
function failing(...errors: unknown[]): Operation<number> & { calls: number } {
  const fn = (ctx: Context): Promise<number> => {
    fn.calls++;
    const error = errors.shift();
    return error === undefined ? Promise.resolve(ctx.attempt) : Promise.reject(error);
  };
  fn.calls = 0;
  return fn;
}

describe('runThen: a pipeline settling in the innermost reaction', () => {
  it('answers as [RUN] then .then would, for successes, retries and failures', async () => {
    const cases = [
      () => failing(),
      () => failing(new TransientError('once')),
      () => failing(new TransientError('a'), new TransientError('b'), new TransientError('c')),
      () => failing(new PermanentError('no')),
    ];
    for (const make of cases) {
      const [fused, plain] = [make(), make()];
      const a = await viaRunThen(retryThenBreaker(), fused);
      const b = await viaRun(retryThenBreaker(), plain);
      expect(a).toEqual(b);
      expect(fused.calls).toBe(plain.calls);
    }
  });

  it('counts the calls in the breaker as [RUN] does, and rejects once it opened', async () => {
    const policy = retryThenBreaker({ maxAttempts: 1 });
    for (let i = 0; i < 5; i++) await viaRunThen(policy, failing(new TransientError('down')));
    const breaker = (policy as unknown as { policies: { state?: string }[] }).policies[1];
    expect(breaker?.state).toBe('open');
    const fn = failing();
    const outcome = await viaRunThen(policy, fn);
    expect(outcome.ok).toBe(false);
    expect(fn.calls).toBe(0);
  });

  it('hands a synchronous throw of the layers (a user clock) to onRejected', async () => {
    // Read once when the policies are made, then broken.
    let readings = 0;
    const clock = {
      now: (): number => {
        if (readings++ > 0) throw new Error('clock broke');
        return 0;
      },
    };
    const outcome = await viaRunThen(retryThenBreaker({ maxElapsedMs: 1_000, clock }), failing());
    expect(outcome).toEqual({ ok: false, error: new Error('clock broke') });
    readings = 0;
    expect(await viaRun(retryThenBreaker({ maxElapsedMs: 1_000, clock }), failing())).toEqual(
      outcome,
    );
  });

  it('turns a function that throws synchronously into a retried attempt', async () => {
    let calls = 0;
    const fn = (): number => {
      calls++;
      if (calls === 1) throw new TransientError('sync');
      return 7;
    };
    expect(await viaRunThen(retryThenBreaker(), fn)).toEqual({ ok: true, value: 7 });
    expect(calls).toBe(2);
  });

  it('rejects with what a throwing onFulfilled throws, without calling onRejected', async () => {
    let rejectedCalls = 0;
    const outcome = runThen(
      retryThenBreaker(),
      failing(),
      rootContext(undefined),
      () => {
        throw new Error('handler broke');
      },
      () => {
        rejectedCalls++;
        return 'rejected';
      },
    );
    await expect(outcome).rejects.toThrow('handler broke');
    expect(rejectedCalls).toBe(0);
  });
});
