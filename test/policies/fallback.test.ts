import { bulkhead as cockatielBulkhead } from 'cockatiel';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { onListenerError } from '../../src/core/events.js';
import { TimeoutError } from '../../src/core/errors/index.js';
import { fallback, type Fallback } from '../../src/core/fallback/fallback.js';
import { pipeline } from '../../src/core/pipeline.js';
import type { Policy, TypedPolicy } from '../../src/core/policy.js';
import { bulkhead } from '../../src/core/bulkhead/bulkhead.js';

interface Summary {
  readonly text: string;
  readonly cached: boolean;
}

describe('fallback', () => {
  it('answers a value in place of any error by default, and passes successes through', async () => {
    const policy = fallback({ to: 'unavailable' });
    await expect(policy.execute(() => Promise.reject(new Error('down')))).resolves.toBe(
      'unavailable',
    );
    await expect(policy.execute(() => 'live')).resolves.toBe('live');
  });

  it('calls a function of the error and the context', async () => {
    const policy = fallback<Summary>({
      to: (error, ctx) => ({ text: `${String(error)} at attempt ${ctx.attempt}`, cached: true }),
    });
    await expect(policy.execute<Summary>(() => Promise.reject(new Error('boom')))).resolves.toEqual(
      { text: 'Error: boom at attempt 1', cached: true },
    );
  });

  it('answers only the errors `on` selects, by class or predicate', async () => {
    const byClass = fallback({ to: 0, on: [TimeoutError] });
    await expect(byClass.execute(() => Promise.reject(new TimeoutError(5)))).resolves.toBe(0);
    await expect(byClass.execute(() => Promise.reject(new Error('other')))).rejects.toThrow(
      'other',
    );
    const single = fallback({ to: 0, on: TimeoutError });
    await expect(single.execute(() => Promise.reject(new TimeoutError(5)))).resolves.toBe(0);
    const byPredicate = fallback({ to: 0, on: (e) => (e as Error).message === 'soft' });
    await expect(byPredicate.execute(() => Promise.reject(new Error('soft')))).resolves.toBe(0);
    await expect(byPredicate.execute(() => Promise.reject(new Error('hard')))).rejects.toThrow();
  });

  it('does not answer a caller whose signal has aborted', async () => {
    const policy = fallback({ to: 'late' });
    const controller = new AbortController();
    const call = policy.execute((ctx) => {
      controller.abort(new Error('caller left'));
      return Promise.reject(ctx.signal.reason as Error);
    }, controller.signal);
    await expect(call).rejects.toThrow('caller left');
  });

  it('marks provenance and emits an event when it answers; a throwing listener is harmless', async () => {
    const policy = fallback({ to: 'cached copy', name: 'static' });
    const seen: string[] = [];
    const listenerErrors: unknown[] = [];
    onListenerError((error) => listenerErrors.push(error));
    policy.onFallback(() => {
      throw new Error('listener bug');
    });
    const stop = policy.onFallback(({ source }) => seen.push(source));
    const detailed = await policy.executeDetailed(() => Promise.reject(new Error('down')));
    expect(detailed).toMatchObject({
      value: 'cached copy',
      fromFallback: true,
      source: 'static',
      attempts: 1,
    });
    stop();
    const live = await policy.executeDetailed(() => 'live');
    expect(live).toMatchObject({ value: 'live', fromFallback: false, source: 'primary' });
    expect(seen).toEqual(['static']);
    expect(listenerErrors).toEqual([new Error('listener bug')]);
    onListenerError((error) => console.error(error));
  });

  it('rejects with the fallback function’s own error when it fails', async () => {
    const policy = fallback({
      to: (): string => {
        throw new Error('no fallback either');
      },
    });
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow(
      'no fallback either',
    );
  });

  it('types the fallback against the protected function’s result, also through pipeline', async () => {
    const text = fallback({ to: 'n/a' });
    expectTypeOf(text).toMatchTypeOf<TypedPolicy<string>>();
    // @ts-expect-error a string fallback cannot protect a function returning a number
    await text.execute(() => 42).catch(() => undefined);
    const answered = await text.execute(() => 'live');
    expectTypeOf(answered).toEqualTypeOf<string>();

    const inferred = fallback({ to: (error: unknown) => `failed: ${String(error)}` });
    expectTypeOf(inferred).toEqualTypeOf<Fallback<string>>();
    const fromPromise = fallback({ to: () => Promise.resolve(3) });
    expectTypeOf(fromPromise).toEqualTypeOf<Fallback<number>>();

    const asyncSummary = fallback<Summary>({
      to: () => Promise.resolve({ text: '', cached: true }),
    });
    // @ts-expect-error the function's result must fit Summary
    await asyncSummary.execute(() => ({ text: 1 })).catch(() => undefined);

    const composed = pipeline(text, bulkhead({ maxConcurrent: 1 }));
    expectTypeOf(composed).toEqualTypeOf<TypedPolicy<string>>();
    // @ts-expect-error the pipeline keeps the fallback's constraint
    await composed.execute(() => 42).catch(() => undefined);
    await expect(composed.execute(() => Promise.reject(new Error('x')))).resolves.toBe('n/a');

    // Foreign policies (cockatiel here) compose too, and keep the fallback's constraint.
    const mixed = pipeline(text, cockatielBulkhead(2), bulkhead({ maxConcurrent: 1 }));
    expectTypeOf(mixed).toEqualTypeOf<TypedPolicy<string>>();
    // @ts-expect-error still bound to string
    await mixed.execute(() => 42).catch(() => undefined);

    const plain = pipeline(bulkhead({ maxConcurrent: 1 }), bulkhead({ maxConcurrent: 1 }));
    expectTypeOf(plain).toEqualTypeOf<Policy>();
    // @ts-expect-error a TypedPolicy is not a plain Policy
    const notPlain: Policy = text;
    expect(notPlain).toBeDefined();
  });

  it('validates its options', () => {
    expect(() => fallback({} as never)).toThrow(
      new TypeError('fallback: to must be a value or a function, got undefined'),
    );
    expect(() => fallback({ to: 1, on: 'timeouts' as never })).toThrow(
      new TypeError(
        'fallback: on must be a predicate, an error class or an array of error classes, got "timeouts"',
      ),
    );
    expect(() => fallback({ to: 1, name: '' })).toThrow(TypeError);
  });
});
