import { getEventListeners } from 'node:events';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResilience, retry } from '../../src/core/index.js';
import { heapAfterGc } from '../support/gc.js';
import { startHttpStub, type HttpStub } from '../support/http-stub.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The openai SDK adds an abort listener to the signal it is given and never removes it. On
 * a signal shared by many calls those would pile up for the life of the process; each call
 * must hand out a signal of its own, and leave nothing on the caller's.
 */
describe('signals handed to the openai SDK, 1,000 calls', () => {
  let stub: HttpStub;
  let client: OpenAI;
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);

  beforeAll(async () => {
    stub = await startHttpStub();
    client = new OpenAI({ baseURL: `${stub.url}/status/200/v1`, apiKey: 'test', maxRetries: 0 });
    process.on('warning', onWarning);
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await stub.close();
  });

  const ask = (signal: AbortSignal) =>
    client.chat.completions.create(
      { model: 'stub', messages: [{ role: 'user', content: 'hi' }] },
      { signal },
    );

  /**
   * Waits until the handed-out signals (and the SDK listeners on them) are garbage: the
   * engine may keep the last few alive a while (caches of the latest closure), never more.
   */
  const collected = (refs: readonly WeakRef<AbortSignal>[]) =>
    waitFor(
      () => {
        heapAfterGc();
        return refs.filter((ref) => ref.deref() !== undefined).length <= 5;
      },
      10_000,
      'the handed-out signals to be collected',
    );

  /** Runs 1,000 calls, 50 at a time, and returns a weak reference to each signal handed out. */
  async function thousandCalls(
    call: (run: (signal: AbortSignal) => Promise<unknown>) => Promise<unknown>,
  ): Promise<{ refs: WeakRef<AbortSignal>[]; most: number; distinct: number }> {
    const refs: WeakRef<AbortSignal>[] = [];
    const seen = new WeakSet<AbortSignal>();
    let most = 0;
    let distinct = 0;
    for (let batch = 0; batch < 20; batch++) {
      const signals: AbortSignal[] = [];
      await Promise.all(
        Array.from({ length: 50 }, () =>
          call((signal) => {
            signals.push(signal);
            return ask(signal);
          }),
        ),
      );
      for (const signal of signals) {
        most = Math.max(most, getEventListeners(signal, 'abort').length);
        if (!seen.has(signal)) distinct++;
        seen.add(signal);
        refs.push(new WeakRef(signal));
      }
    }
    return { refs, most, distinct };
  }

  it('through retry(): a signal per call, each holding only its own call’s listener, all collected', async () => {
    const policy = retry();
    const caller = new AbortController();
    const { refs, most, distinct } = await thousandCalls((run) =>
      policy.execute((ctx) => run(ctx.signal), caller.signal),
    );
    expect(distinct).toBe(1000);
    // The SDK's one listener per request, on that request's own signal: nothing accumulates.
    expect(most).toBeLessThanOrEqual(1);
    // Nothing is left on the caller's long-lived signal.
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    await collected(refs);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('through retry() without a caller signal, and through a wrapped operation', async () => {
    const policy = retry();
    const plain = await thousandCalls((run) => policy.execute((ctx) => run(ctx.signal)));
    expect(plain.distinct).toBe(1000);
    expect(plain.most).toBeLessThanOrEqual(1);

    const resilience = createResilience();
    const wrapped = resilience.wrap('ask', (run: (signal: AbortSignal) => Promise<unknown>) =>
      run(resilience.signal()),
    );
    const viaWrap = await thousandCalls((run) => wrapped(run));
    expect(viaWrap.distinct).toBe(1000);
    expect(viaWrap.most).toBeLessThanOrEqual(1);
    await collected([...plain.refs, ...viaWrap.refs]);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});
