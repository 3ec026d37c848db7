/* eslint-disable @typescript-eslint/require-await -- async functions stand in for real async operations */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, TransientError, isConfigError } from '../../src/core/errors/index.js';
import type { ResilienceConfig } from '../../src/core/orchestrator/config.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { failureOf, valueOf } from './helpers.js';

function alwaysFailing() {
  const calls = { count: 0 };
  const fn = async (): Promise<string> => {
    calls.count++;
    throw new TransientError('always fails');
  };
  return { fn, calls };
}

describe('per-operation configuration', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('custom retry settings, and no breaker at all when it is turned off', async () => {
    const resilience = createResilience();
    const { fn, calls } = alwaysFailing();
    const wrapped = resilience.wrap('custom_retry_test', fn, {
      config: {
        retry: { maxAttempts: 2, backoff: { kind: 'exponential', initialMs: 500, maxMs: 5_000 } },
        circuitBreaker: false,
      },
    });
    expect(await failureOf(wrapped())).toBeInstanceOf(TransientError);
    expect(calls.count).toBe(2);
    expect(resilience.breaker('custom_retry_test')).toBeUndefined();
    expect(resilience.healthStatus().totalCircuitBreakers).toBe(0);
  });

  it('retry and breaker both off: one attempt, no breaker', async () => {
    const resilience = createResilience();
    const { fn, calls } = alwaysFailing();
    const wrapped = resilience.wrap('no_resilience_test', fn, {
      config: { retry: false, circuitBreaker: false },
    });
    expect(await failureOf(wrapped())).toBeInstanceOf(TransientError);
    expect(calls.count).toBe(1);
    expect(resilience.breaker('no_resilience_test')).toBeUndefined();
    expect(resilience.metrics('no_resilience_test')?.failedCalls).toBe(1);
  });

  it('a constant backoff waits exactly its delay between attempts', async () => {
    const resilience = createResilience();
    const times: number[] = [];
    const wrapped = resilience.wrap(
      'no_jitter_test',
      async (): Promise<string> => {
        times.push(Date.now());
        if (times.length < 3) throw new TransientError('fail until the third call');
        return 'success';
      },
      { config: { retry: { maxAttempts: 3, backoff: { kind: 'constant', delayMs: 1_000 } } } },
    );
    expect(await valueOf(wrapped())).toBe('success');
    expect([times[1]! - times[0]!, times[2]! - times[1]!]).toEqual([1_000, 1_000]);
  });

  it('applies strategy < defaults < code < operations[name]', async () => {
    const config: ResilienceConfig = {
      defaults: {
        retry: { maxAttempts: 4, backoff: { kind: 'constant', delayMs: 10 } },
        circuitBreaker: false,
      },
      operations: { tuned: { retry: { maxAttempts: 6 } } },
    };
    const resilience = createResilience({ config });
    const plain = alwaysFailing();
    const coded = alwaysFailing();
    const tuned = alwaysFailing();
    await failureOf(resilience.wrap('plain', plain.fn, { strategy: 'critical' })());
    await failureOf(
      resilience.wrap('coded', coded.fn, { config: { retry: { maxAttempts: 5 } } })(),
    );
    await failureOf(
      resilience.wrap('tuned', tuned.fn, { config: { retry: { maxAttempts: 5 } } })(),
    );
    expect([plain.calls.count, coded.calls.count, tuned.calls.count]).toEqual([4, 5, 6]);
  });

  it('an operation’s strategy may come from the configuration (a preset)', async () => {
    const resilience = createResilience({
      preset: {
        defaults: { strategy: 'aggressive' },
        operations: { qa: { strategy: 'critical' } },
      },
    });
    const qa = alwaysFailing();
    const other = alwaysFailing();
    await failureOf(resilience.wrap('qa', qa.fn)());
    await failureOf(resilience.wrap('other', other.fn)());
    expect([qa.calls.count, other.calls.count]).toEqual([7, 2]);
    expect(resilience.config().preset).toBeUndefined();
  });

  it('starts from a built-in preset by name; an unknown one is refused with the valid names', async () => {
    const resilience = createResilience({ preset: 'production' });
    expect(resilience.config().preset).toBe('production');
    // Presets hold defaults only: production is conservative (5 attempts) for every operation.
    const qa = alwaysFailing();
    await failureOf(resilience.wrap('qa', qa.fn, { strategy: 'balanced' })());
    expect(qa.calls.count).toBe(3);
    const other = alwaysFailing();
    await failureOf(resilience.wrap('summarize', other.fn)());
    expect(other.calls.count).toBe(5);
    for (const name of ['simple', 'development', 'production'] as const) {
      expect(createResilience({ preset: name }).config().operations).toEqual({});
    }
    const fromFile = createResilience({ config: { preset: 'simple', operations: {} } });
    expect(fromFile.config().defaults).toEqual(
      createResilience({ preset: 'simple' }).config().defaults,
    );
    expect(() => createResilience({ preset: 'staging' as 'production' })).toThrow(
      /preset must be one of 'simple', 'development', 'production', got "staging"/,
    );
  });

  it('a timeout, a bulkhead and a rate limit can be turned on by configuration', async () => {
    const resilience = createResilience({
      config: {
        operations: {
          guarded: {
            retry: false,
            timeout: 100,
            bulkhead: { maxConcurrent: 1 },
            rateLimit: { rate: 1, intervalMs: 10_000, burst: 3 },
          },
        },
      },
    });
    const slow = resilience.wrap(
      'guarded',
      (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('late'), ms)),
    );
    const first = slow(1_000);
    const second = slow(10);
    const [a, b] = await Promise.all([failureOf(first), failureOf(second)]);
    expect((a as Error).name).toBe('TimeoutError');
    expect((b as Error).name).toBe('BulkheadRejectedError');
    expect(await valueOf(slow(10))).toBe('late');
    expect((await failureOf(slow(10))) as Error).toHaveProperty('name', 'RateLimiterRejectedError');
    expect(resilience.metrics('guarded')?.rejectedCalls).toBe(2);
  });

  it('invalid options are reported together, with their paths, as a ConfigError', () => {
    const resilience = createResilience();
    let caught: unknown;
    try {
      resilience.wrap('broken', async () => 'x', {
        config: { retry: { maxAttempts: 0 }, timeout: -5 },
      });
    } catch (error) {
      caught = error;
    }
    expect(isConfigError(caught)).toBe(true);
    const paths = (caught as ConfigError).problems.map((problem) => problem.path);
    expect(paths).toEqual(['operations.broken.retry', 'operations.broken.timeout']);
    expect((caught as ConfigError).problems[0]?.message).toMatch(/maxAttempts/);
    expect(resilience.operations()).toEqual([]);
  });
});

describe('runtime configuration updates', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('apply to the next call, keep breaker state and metrics, and are audited', async () => {
    const resilience = createResilience();
    const { fn, calls } = alwaysFailing();
    const wrapped = resilience.wrap('live', fn, {
      config: { retry: { maxAttempts: 2, backoff: { kind: 'constant', delayMs: 1 } } },
    });
    await failureOf(wrapped());
    expect(calls.count).toBe(2);
    resilience.breaker('live')?.isolate();

    const updatedAt = new Date(Date.now()).toISOString();
    const entry = resilience.updateConfig(
      { operations: { live: { retry: { maxAttempts: 4 }, circuitBreaker: { openMs: 5_000 } } } },
      { source: 'admin', actor: 'alice' },
    );
    expect(resilience.breaker('live')?.state).toBe('isolated');
    expect(resilience.metrics('live')?.totalCalls).toBe(1);
    resilience.breaker('live')?.reset();
    calls.count = 0;
    await failureOf(wrapped());
    expect(calls.count).toBe(4);
    expect(resilience.metrics('live')?.totalCalls).toBe(2);

    expect(entry.source).toBe('admin');
    expect(entry.actor).toBe('alice');
    expect(entry.changes).toEqual([
      {
        path: 'operations.live',
        before: undefined,
        after: { retry: { maxAttempts: 4 }, circuitBreaker: { openMs: 5_000 } },
      },
    ]);
    expect(resilience.auditTrail()).toEqual([entry]);
    expect(entry.at).toBe(updatedAt);

    const second = resilience.updateConfig({ operations: { live: { retry: { maxAttempts: 3 } } } });
    expect(second.source).toBe('runtime');
    expect(second.changes).toEqual([
      { path: 'operations.live.retry.maxAttempts', before: 4, after: 3 },
    ]);
  });

  it('an invalid update changes nothing and reports every problem', async () => {
    const resilience = createResilience();
    const a = alwaysFailing();
    const b = alwaysFailing();
    resilience.wrap('a', a.fn);
    resilience.wrap('b', b.fn);
    const breakerA = resilience.breaker('a');
    const before = resilience.config();
    let caught: unknown;
    try {
      resilience.updateConfig({
        operations: {
          a: { circuitBreaker: { openMs: 10 } },
          b: { retry: { maxAttempts: -1 }, bulkhead: { maxConcurrent: 0 } },
        },
      });
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).problems.map((p) => p.path)).toEqual([
      'operations.b.bulkhead',
      'operations.b.retry',
    ]);
    expect(resilience.config()).toBe(before);
    expect(resilience.breaker('a')).toBe(breakerA);
    expect(resilience.auditTrail()).toEqual([]);
    await failureOf(resilience.wrap('b', b.fn)());
    expect(b.calls.count).toBe(3);
  });

  it('goes through the injected validator first', () => {
    const resilience = createResilience({
      validate: (config) =>
        config.defaults?.retry !== false && (config.defaults?.retry?.maxAttempts ?? 0) > 10
          ? [
              {
                path: 'defaults.retry.maxAttempts',
                message: 'more than 10 attempts',
                value: config.defaults?.retry,
                expected: '≤ 10',
              },
            ]
          : [],
    });
    expect(() => resilience.updateConfig({ defaults: { retry: { maxAttempts: 50 } } })).toThrow(
      /more than 10 attempts/,
    );
    expect(resilience.config().defaults).toBeUndefined();
    resilience.updateConfig({ defaults: { retry: { maxAttempts: 5 } } });
    expect(resilience.config().defaults).toEqual({ retry: { maxAttempts: 5 } });
  });

  it('a breaker whose settings change starts from the old one’s state', () => {
    const resilience = createResilience();
    resilience.wrap('moving', async () => 'x');
    const old = resilience.breaker('moving');
    old?.isolate();
    resilience.updateConfig({ operations: { moving: { circuitBreaker: { openMs: 1_234 } } } });
    const replaced = resilience.breaker('moving');
    expect(replaced).not.toBe(old);
    expect(replaced?.state).toBe('isolated');
    resilience.updateConfig({ operations: { moving: { circuitBreaker: false } } });
    expect(resilience.breaker('moving')).toBeUndefined();
  });

  it('without a validator, a configuration of the wrong shape is still refused', () => {
    const resilience = createResilience();
    expect(() => resilience.updateConfig({ operations: { qa: 5 }, defaults: 'fast' })).toThrow(
      ConfigError,
    );
    try {
      resilience.updateConfig({ operations: { qa: 5 }, defaults: 'fast' });
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.path)).toEqual([
        'defaults',
        'operations.qa',
      ]);
    }
    expect(resilience.config()).toEqual({ operations: {} });
  });

  it('null removes a setting (JSON merge patch)', () => {
    const resilience = createResilience({
      config: { operations: { x: { retry: { maxAttempts: 2 } }, y: { timeout: 5 } } },
    });
    resilience.updateConfig({ operations: { x: null } });
    expect(resilience.config().operations).toEqual({ y: { timeout: 5 } });
  });

  it('a preset named at runtime applies under everything said since, breakers keeping their state', async () => {
    const resilience = createResilience({
      preset: 'simple',
      config: { operations: { sentiment: { retry: { maxAttempts: 1 } } } },
    });
    const qa = alwaysFailing();
    const sentiment = alwaysFailing();
    const wrappedQa = resilience.wrap('qa', qa.fn);
    const wrappedSentiment = resilience.wrap('sentiment', sentiment.fn);
    resilience.updateConfig({ operations: { summarize: { timeout: 5_000 } } });
    resilience.breaker('qa')?.isolate();

    const entry = resilience.updateConfig({ preset: 'production' }, { actor: 'ops' });
    expect(resilience.config().preset).toBe('production');
    expect(resilience.config().defaults).toEqual({ strategy: 'conservative' });
    expect(resilience.config().operations).toEqual({
      sentiment: { retry: { maxAttempts: 1 } },
      summarize: { timeout: 5_000 },
    });
    expect(entry.changes).toContainEqual({ path: 'preset', before: 'simple', after: 'production' });
    expect(resilience.breaker('qa')?.state).toBe('isolated');
    resilience.breaker('qa')?.reset();
    await failureOf(wrappedQa());
    expect(qa.calls.count).toBe(5);
    await failureOf(wrappedSentiment());
    expect(sentiment.calls.count).toBe(1);

    resilience.updateConfig({ preset: 'simple' });
    expect(resilience.config()).toEqual({
      preset: 'simple',
      defaults: { strategy: 'balanced' },
      operations: { sentiment: { retry: { maxAttempts: 1 } }, summarize: { timeout: 5_000 } },
    });
  });

  it('an unknown preset at runtime is refused with the valid names, changing nothing', () => {
    const resilience = createResilience({ preset: 'simple' });
    const before = resilience.config();
    try {
      resilience.updateConfig({ preset: 'staging' });
      expect.unreachable('the update was accepted');
    } catch (error) {
      expect(isConfigError(error)).toBe(true);
      expect((error as ConfigError).problems).toEqual([
        expect.objectContaining({
          path: 'preset',
          value: 'staging',
          message: `preset must be one of 'simple', 'development', 'production', got "staging"`,
        }),
      ]);
    }
    expect(resilience.config()).toBe(before);
    expect(resilience.auditTrail()).toEqual([]);
  });
});
