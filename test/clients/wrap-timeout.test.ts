import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResilience, isTimeoutError } from '../../src/core/index.js';
import { startHttpStub, type HttpStub } from '../support/http-stub.js';
import { waitFor } from '../support/wait-for.js';
import { failureOf } from './suite.js';

/**
 * A wrapped function keeps its signature, so it is not handed a context: it asks for its
 * attempt's signal with `resilience.signal()`. An operation's timeout bounds the caller's
 * wait, and the client hears of it (the server sees the connection close).
 */
describe('wrap() with a 300 ms timeout around a hung openai call', () => {
  let stub: HttpStub;
  // The SDK's own timeout is far away: only breakwater's may end these calls.
  const sdkTimeoutMs = 60_000;

  beforeAll(async () => {
    stub = await startHttpStub();
  });
  afterAll(() => stub.close());

  const clientFor = () =>
    new OpenAI({
      baseURL: `${stub.url}/hang/v1`,
      apiKey: 'test',
      maxRetries: 0,
      timeout: sdkTimeoutMs,
    });

  it.each(['cooperative', 'aggressive'] as const)(
    '%s: answers with TimeoutError at about 300 ms, and the request is cancelled',
    async (mode) => {
      const client = clientFor();
      const resilience = createResilience({
        config: { operations: { ask: { retry: false, timeout: { ms: 300, mode } } } },
      });
      const ask = resilience.wrap('ask', (question: string) =>
        client.chat.completions.create(
          { model: 'stub', messages: [{ role: 'user', content: question }] },
          { signal: resilience.signal() },
        ),
      );
      const closedBefore = stub.hungClosed;
      const seenBefore = stub.hits('/hang');
      const started = Date.now();
      const error = await failureOf(ask('hello?'));
      const tookMs = Date.now() - started;
      expect(isTimeoutError(error)).toBe(true);
      // Generous bounds: not before the deadline, and far before the SDK's own timeout.
      expect(tookMs).toBeGreaterThanOrEqual(290);
      expect(tookMs).toBeLessThan(10_000);
      // Every request the server saw is closed. On a loaded machine the deadline can pass
      // before the SDK has sent anything, and then the server sees no request to close.
      await waitFor(
        () => stub.hungClosed - closedBefore === stub.hits('/hang') - seenBefore,
        10_000,
        'the server to see the close of every request it got',
      );
    },
  );

  it('a function that never reads its signal is still bounded by the default (aggressive) timeout', async () => {
    const client = clientFor();
    const resilience = createResilience({
      config: { operations: { lookup: { retry: false, timeout: 300 } } },
    });
    const lookup = resilience.wrap('lookup', () =>
      client.chat.completions.create({ model: 'stub', messages: [] }),
    );
    const started = Date.now();
    const error = await failureOf(lookup());
    expect(isTimeoutError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('resilience.signal() outside a wrapped function’s start says how to use it', () => {
    const resilience = createResilience();
    expect(() => resilience.signal()).toThrow(/before its first await/);
    expect(() => resilience.context()).toThrow(TypeError);
  });

  it('each attempt gets its own context: a retry sees attempt 2 and a fresh deadline', async () => {
    const resilience = createResilience({
      config: {
        operations: {
          flaky: {
            retry: { maxAttempts: 2, backoff: { kind: 'constant', delayMs: 1 } },
            timeout: 1_000,
          },
        },
      },
    });
    const seen: { attempt: number; signal: AbortSignal }[] = [];
    const flaky = resilience.wrap('flaky', async () => {
      const { attempt, signal } = resilience.context();
      seen.push({ attempt, signal });
      await Promise.resolve();
      if (attempt === 1) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
      return attempt;
    });
    await expect(flaky()).resolves.toBe(2);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2]);
    expect(seen[0]?.signal).not.toBe(seen[1]?.signal);
  });
});
