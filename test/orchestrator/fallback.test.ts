/* eslint-disable @typescript-eslint/require-await -- async functions stand in for real async operations */
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { CircuitOpenError, PermanentError, TransientError } from '../../src/core/errors/index.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { failureOf, valueOf } from './helpers.js';

describe('fallbacks', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answer when the circuit is open, with the error and the caller’s own arguments', async () => {
    const resilience = createResilience();
    const seen: unknown[][] = [];
    const alwaysFailing = resilience.wrap(
      'fallback_test',
      async (param1: string, options?: { param2: string }): Promise<string> => {
        throw new TransientError(`always fails for ${param1} ${options?.param2 ?? ''}`);
      },
      {
        strategy: 'aggressive',
        fallback: (error, param1, options) => {
          seen.push([error, param1, options]);
          return 'fallback_result';
        },
      },
    );
    resilience.breaker('fallback_test')?.isolate();
    expect(await valueOf(alwaysFailing('test', { param2: 'value' }))).toBe('fallback_result');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.[0]).toBeInstanceOf(CircuitOpenError);
    expect(seen[0]?.slice(1)).toEqual(['test', { param2: 'value' }]);
  });

  it('keep their result types: objects and arrays', async () => {
    const resilience = createResilience();
    const dictFunction = resilience.wrap(
      'dict_test',
      async (): Promise<{ fallback: boolean; data: string }> => {
        throw new TransientError('fails');
      },
      { strategy: 'aggressive', fallback: async () => ({ fallback: true, data: 'default' }) },
    );
    const listFunction = resilience.wrap(
      'list_test',
      async (): Promise<string[]> => {
        throw new TransientError('fails');
      },
      { strategy: 'aggressive', fallback: () => ['fallback', 'data'] },
    );
    resilience.breaker('dict_test')?.isolate();
    resilience.breaker('list_test')?.isolate();
    const dict = await valueOf(dictFunction());
    const list = await valueOf(listFunction());
    expectTypeOf(dict).toEqualTypeOf<{ fallback: boolean; data: string }>();
    expectTypeOf(list).toEqualTypeOf<string[]>();
    expect(dict).toEqual({ fallback: true, data: 'default' });
    expect(list[0]).toBe('fallback');
  });

  it('answer once transient failures exhaust the retries, counted as failed and as fallback calls', async () => {
    const resilience = createResilience();
    let calls = 0;
    const questionAnswering = resilience.wrap(
      'ai_qa',
      async (question: string, context: string): Promise<string> => {
        calls++;
        throw new TransientError(`overloaded (${question}, ${context})`);
      },
      {
        strategy: 'conservative',
        fallback: (_error, question) => `Unable to answer "${question}" right now`,
      },
    );
    expect(await valueOf(questionAnswering('What is AI?', 'AI is…'))).toBe(
      'Unable to answer "What is AI?" right now',
    );
    expect(calls).toBe(5);
    const metrics = resilience.metrics('ai_qa');
    expect(metrics?.totalCalls).toBe(1);
    expect(metrics?.failedCalls).toBe(1);
    expect(metrics?.fallbackCalls).toBe(1);
    expect(metrics?.successfulCalls).toBe(0);
    expect(metrics?.retryAttempts).toBe(4);
  });

  it('do not hide permanent errors', async () => {
    const resilience = createResilience();
    const fallback = vi.fn(() => 'fallback');
    const wrapped = resilience.wrap(
      'permanent',
      async (): Promise<string> => {
        throw new PermanentError('invalid input');
      },
      { fallback },
    );
    expect(await failureOf(wrapped())).toBeInstanceOf(PermanentError);
    expect(fallback).not.toHaveBeenCalled();
    expect(resilience.metrics('permanent')?.fallbackCalls).toBe(0);
  });

  it('follow the operation’s fallback config (never when open, also for permanent errors)', async () => {
    const resilience = createResilience({
      config: {
        operations: {
          strict: { fallback: { whenOpen: false } },
          lenient: { retry: false, fallback: { whenPermanent: true } },
        },
      },
    });
    const strict = resilience.wrap('strict', async () => 'ok', { fallback: () => 'fallback' });
    resilience.breaker('strict')?.isolate();
    expect(await failureOf(strict())).toBeInstanceOf(CircuitOpenError);
    const lenient = resilience.wrap(
      'lenient',
      async (): Promise<string> => {
        throw new PermanentError('nope');
      },
      { fallback: () => 'fallback' },
    );
    expect(await valueOf(lenient())).toBe('fallback');
  });

  it('an error thrown by the fallback reaches the caller', async () => {
    const resilience = createResilience();
    const wrapped = resilience.wrap(
      'fallback_throws',
      async (): Promise<string> => {
        throw new TransientError('down');
      },
      {
        strategy: 'aggressive',
        fallback: () => {
          throw new Error('no stale answer either');
        },
      },
    );
    expect(((await failureOf(wrapped())) as Error).message).toBe('no stale answer either');
    expect(resilience.metrics('fallback_throws')?.failedCalls).toBe(1);
    expect(resilience.metrics('fallback_throws')?.fallbackCalls).toBe(0);
  });

  it('report provenance through detailed calls', async () => {
    const resilience = createResilience();
    let calls = 0;
    const wrapped = resilience.wrap(
      'provenance',
      async (text: string): Promise<string> => {
        calls++;
        if (calls < 3) throw new TransientError('busy');
        return text.toUpperCase();
      },
      { strategy: 'balanced', fallback: () => 'cached' },
    );
    const direct = await valueOf(wrapped.detailed('hello'));
    expect(direct).toMatchObject({
      value: 'HELLO',
      fromFallback: false,
      source: 'primary',
      attempts: 3,
    });
    expect(direct.durationMs).toBeGreaterThan(0);
    resilience.breaker('provenance')?.isolate();
    const fallen = await valueOf(wrapped.detailed('hello'));
    expect(fallen).toMatchObject({
      value: 'cached',
      fromFallback: true,
      source: 'fallback',
      attempts: 0,
    });

    const viaExecute = await valueOf(
      resilience.executeDetailed('provenance', () => 'direct', { fallback: () => 'cached' }),
    );
    expect(viaExecute).toMatchObject({ value: 'cached', fromFallback: true });
  });
});
