/* eslint-disable @typescript-eslint/require-await -- async functions stand in for real async operations */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PermanentError,
  RateLimitError,
  ServiceUnavailableError,
  TransientError,
} from '../../src/core/errors/index.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { failureOf, httpError, valueOf } from './helpers.js';

describe('error classification through the orchestrator', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a transient error, then stops at a permanent one', async () => {
    const resilience = createResilience();
    let calls = 0;
    const mixed = resilience.wrap(
      'mixed_errors',
      async (): Promise<string> => {
        calls++;
        if (calls === 1) throw new TransientError('transient failure');
        if (calls === 2) throw new PermanentError('permanent failure');
        return 'success';
      },
      { strategy: 'balanced' },
    );
    expect(await failureOf(mixed())).toBeInstanceOf(PermanentError);
    expect(calls).toBe(2);
    expect(resilience.metrics('mixed_errors')?.retryAttempts).toBe(1);
  });

  it('retries HTTP 429 and not HTTP 400', async () => {
    const resilience = createResilience();
    let calls429 = 0;
    let calls400 = 0;
    const rateLimited = resilience.wrap(
      'http_429',
      async (): Promise<string> => {
        calls429++;
        throw httpError(429);
      },
      { strategy: 'aggressive' },
    );
    const badRequest = resilience.wrap(
      'http_400',
      async (): Promise<string> => {
        calls400++;
        throw httpError(400);
      },
      { strategy: 'aggressive' },
    );
    expect(
      ((await failureOf(rateLimited())) as { response: { status: number } }).response.status,
    ).toBe(429);
    expect(calls429).toBe(2);
    expect(
      ((await failureOf(badRequest())) as { response: { status: number } }).response.status,
    ).toBe(400);
    expect(calls400).toBe(1);
  });

  it('a realistic mix: rate limits and outages recover through retries, an overloaded QA falls back', async () => {
    const resilience = createResilience();
    const counts = { summarize: 0, sentiment: 0, qa: 0 };
    const summarize = resilience.wrap(
      'ai_summarize',
      async (text: string): Promise<string> => {
        counts.summarize++;
        if (counts.summarize < 2) throw new RateLimitError('rate limited', { retryAfterMs: 500 });
        return `Summary of: ${text.slice(0, 10)}...`;
      },
      { strategy: 'balanced' },
    );
    const sentiment = resilience.wrap(
      'ai_sentiment',
      async (_text: string): Promise<string> => {
        counts.sentiment++;
        if (counts.sentiment === 1) throw new ServiceUnavailableError('temporarily down');
        return 'positive';
      },
      { strategy: 'aggressive' },
    );
    const qa = resilience.wrap(
      'ai_qa',
      async (_question: string, _context: string): Promise<string> => {
        counts.qa++;
        throw new TransientError('AI service overloaded');
      },
      { strategy: 'conservative', fallback: () => 'Unable to answer due to service issues' },
    );
    expect(await valueOf(summarize('This is a long text that needs summarizing'))).toBe(
      'Summary of: This is a ...',
    );
    expect(await valueOf(sentiment('I love this product!'))).toBe('positive');
    expect(await valueOf(qa('What is AI?', 'AI is artificial intelligence'))).toBe(
      'Unable to answer due to service issues',
    );
    expect(resilience.metrics('ai_summarize')?.successfulCalls).toBe(1);
    expect(resilience.metrics('ai_summarize')?.retryAttempts).toBe(1);
    expect(resilience.metrics('ai_sentiment')?.successfulCalls).toBe(1);
    expect(counts.qa).toBe(5);
  });

  it('a caller’s own classification decides what is retried and what may fall back', async () => {
    class Flaky extends Error {}
    const resilience = createResilience({ isTransient: (error) => error instanceof Flaky });
    let calls = 0;
    const wrapped = resilience.wrap(
      'custom_classification',
      async (kind: 'flaky' | 'other'): Promise<string> => {
        calls++;
        throw kind === 'flaky' ? new Flaky('flaky') : new TransientError('not for us');
      },
      { strategy: 'aggressive', fallback: () => 'fallback' },
    );
    expect(await valueOf(wrapped('flaky'))).toBe('fallback');
    expect(calls).toBe(2);
    expect(await failureOf(wrapped('other'))).toBeInstanceOf(TransientError);
    expect(calls).toBe(3);
  });
});
