import { describe, expect, it } from 'vitest';
import { presets } from '../../src/core/presets/index.js';
import { validateConfig } from '../../src/node/config/validate.js';

const op = (settings: Record<string, unknown>) => ({ operations: { pay: settings } });
const errors = (config: unknown, environment?: 'production' | 'development') =>
  validateConfig(config, environment === undefined ? {} : { environment }).problems;
const warnings = (config: unknown, environment?: 'production' | 'development') =>
  validateConfig(config, environment === undefined ? {} : { environment }).warnings;

describe('security rules: dangerous settings are rejected with the reason', () => {
  it('unbounded retries', () => {
    const [problem] = errors(op({ retry: { maxAttempts: Infinity } }));
    expect(problem).toMatchObject({ path: 'operations.pay.retry.maxAttempts', value: Infinity });
    expect(problem?.message).toMatch(/unbounded retries/);
    expect(problem?.expected).toBe('an integer from 1 to 10');
  });

  it('more than 10 attempts (10 is fine)', () => {
    expect(errors(op({ retry: { maxAttempts: 10 } }))).toEqual([]);
    const [problem] = errors(op({ retry: { maxAttempts: 11 } }));
    expect(problem?.message).toMatch(/11-fold; at most 10/);
  });

  it('retries with a zero backoff, for each kind of backoff', () => {
    for (const backoff of [
      { kind: 'constant', delayMs: 0 },
      { kind: 'exponential', initialMs: 0 },
      { kind: 'linear', initialMs: 0, stepMs: 0 },
    ]) {
      const [problem] = errors(op({ retry: { maxAttempts: 3, backoff } }));
      expect(problem?.message, JSON.stringify(backoff)).toMatch(/no backoff/);
      expect(problem?.value).toBe(0);
    }
    // A single attempt never waits, so its backoff does not matter.
    expect(
      errors(op({ retry: { maxAttempts: 1, backoff: { kind: 'constant', delayMs: 0 } } })),
    ).toEqual([]);
    // A linear backoff that grows from zero does wait from the second retry on.
    expect(
      errors(op({ retry: { backoff: { kind: 'linear', initialMs: 0, stepMs: 100 } } })),
    ).toEqual([]);
  });

  it('unbounded queues', () => {
    const [problem] = errors(op({ bulkhead: { maxConcurrent: 4, maxQueue: Infinity } }));
    expect(problem).toMatchObject({ path: 'operations.pay.bulkhead.maxQueue', value: Infinity });
    expect(problem?.message).toMatch(/unbounded queue/);
  });

  it('breakers that can never open', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ kind: 'consecutive', threshold: Infinity }, 'threshold', /no count of failures/],
      [{ kind: 'failure-rate', threshold: 1.5 }, 'threshold', /above 100 %/],
      [{ kind: 'failure-rate', minimumCalls: Infinity }, 'minimumCalls', /never reached/],
      [
        { kind: 'failure-rate', minimumCalls: 50, window: { kind: 'count', size: 20 } },
        'minimumCalls',
        /window of 20 calls never holds 50/,
      ],
    ];
    for (const [trip, field, reason] of cases) {
      const [problem, ...rest] = errors(op({ circuitBreaker: { trip } }));
      expect(rest, JSON.stringify(trip)).toEqual([]);
      expect(problem?.path).toBe(`operations.pay.circuitBreaker.trip.${field}`);
      expect(problem?.message).toMatch(/can never open/);
      expect(problem?.message).toMatch(reason);
    }
  });

  it('open times under 1 s in production; only a warning elsewhere', () => {
    const config = op({ circuitBreaker: { openMs: 500 } });
    const [problem] = errors(config, 'production');
    expect(problem).toMatchObject({
      path: 'operations.pay.circuitBreaker.openMs',
      value: 500,
      expected: 'at least 1000 ms',
    });
    expect(problem?.message).toMatch(/in production/);
    expect(errors({ ...config, preset: 'production' })).toHaveLength(1);
    expect(errors(config, 'development')).toEqual([]);
    expect(warnings(config, 'development').map((w) => w.path)).toEqual([
      'operations.pay.circuitBreaker.openMs',
    ]);
    expect(errors(op({ circuitBreaker: { openMs: 1_000 } }), 'production')).toEqual([]);
  });

  it('checks defaults as well as operations, and reports every finding at once', () => {
    const found = errors(
      {
        defaults: { retry: { maxAttempts: 20 } },
        operations: {
          a: { bulkhead: { maxConcurrent: 1, maxQueue: Infinity } },
          b: { circuitBreaker: { trip: { kind: 'consecutive', threshold: Infinity } } },
        },
      },
      'production',
    );
    expect(found.map((p) => p.path)).toEqual([
      'defaults.retry.maxAttempts',
      'operations.a.bulkhead.maxQueue',
      'operations.b.circuitBreaker.trip.threshold',
    ]);
  });
});

describe('security rules: risky settings are warned about', () => {
  const cases: [string, Record<string, unknown>, string, ('production' | 'development')?][] = [
    [
      'retries without a breaker',
      { retry: { maxAttempts: 3 }, circuitBreaker: false },
      'operations.pay.circuitBreaker',
    ],
    [
      'no breaker in production',
      { circuitBreaker: false },
      'operations.pay.circuitBreaker',
      'production',
    ],
    [
      'no jitter',
      { retry: { backoff: { kind: 'exponential', jitter: 'none' } } },
      'operations.pay.retry.backoff.jitter',
    ],
    [
      'a backoff over five minutes',
      { retry: { backoff: { kind: 'exponential', maxMs: 600_000 } } },
      'operations.pay.retry.backoff.maxMs',
    ],
    [
      'a long queue',
      { bulkhead: { maxConcurrent: 2, maxQueue: 5_000 } },
      'operations.pay.bulkhead.maxQueue',
    ],
    ['no timeout', { timeout: false }, 'operations.pay.timeout'],
    [
      'a breaker slow to open',
      { circuitBreaker: { trip: { kind: 'consecutive', threshold: 500 } } },
      'operations.pay.circuitBreaker.trip.threshold',
    ],
  ];
  it.each(cases)('%s', (_name, settings, path, environment) => {
    const result = validateConfig(op(settings), environment === undefined ? {} : { environment });
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.path)).toContain(path);
  });
});

describe('presets', () => {
  it.each(Object.entries(presets))(
    '%s is valid under the production rules, with no warning',
    (_name, preset) => {
      const result = validateConfig(preset, { environment: 'production' });
      expect(result.problems).toEqual([]);
      expect(result.warnings).toEqual([]);
      expect(preset.defaults?.strategy).toBeDefined();
    },
  );
});
