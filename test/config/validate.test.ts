import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, isConfigError } from '../../src/core/errors/index.js';
import { loadConfig } from '../../src/node/config/load.js';
import { assertValidConfig, validate, validateConfig } from '../../src/node/config/validate.js';
import { tempDir } from './helpers.js';

const problemsOf = (input: unknown) => validateConfig(input).problems;

describe('validation: every problem at once, each with path, value, expected', () => {
  it('suggests the key that was meant, at every level', () => {
    const problems = problemsOf({
      preset: 'production',
      defualts: {},
      operations: {
        qa: {
          stratgy: 'critical',
          retry: { maxAtempts: 3, backof: { kind: 'exponential' } },
          circuitBreaker: { openMS: 30_000, halfOpen: { maxcalls: 1 } },
          timeuot: 1000,
        },
      },
    });
    expect(problems.map((p) => [p.path, p.suggestion])).toEqual([
      ['defualts', 'defaults'],
      ['operations.qa.circuitBreaker.halfOpen.maxcalls', 'maxCalls'],
      ['operations.qa.circuitBreaker.openMS', 'openMs'],
      ['operations.qa.retry.backof', 'backoff'],
      ['operations.qa.retry.maxAtempts', 'maxAttempts'],
      ['operations.qa.stratgy', 'strategy'],
      ['operations.qa.timeuot', 'timeout'],
    ]);
    expect(problems[4]).toMatchObject({
      value: 3,
      expected: 'one of the known keys: maxAttempts, backoff, maxElapsedMs, respectRetryAfter',
      message: 'unknown key "maxAtempts" (did you mean "maxAttempts"?)',
    });
  });

  it('suggests the value that was meant for names from a list', () => {
    const [kind, strategy, preset] = problemsOf({
      preset: 'prod',
      operations: {
        qa: { strategy: 'balanse', retry: { backoff: { kind: 'exponentail' } } },
      },
    });
    expect(strategy).toMatchObject({
      path: 'operations.qa.strategy',
      value: 'balanse',
      suggestion: 'balanced',
    });
    expect(kind).toMatchObject({
      path: 'operations.qa.retry.backoff.kind',
      suggestion: 'exponential',
    });
    expect(preset).toMatchObject({ path: 'preset', value: 'prod' });
    expect(preset?.expected).toBe('one of "simple", "development", "production"');
  });

  it('does not suggest when nothing is close', () => {
    const [problem] = problemsOf({ operations: { qa: { zzzzzzzz: 1 } } });
    expect(problem?.suggestion).toBeUndefined();
  });

  it('reports types and ranges with what was expected', () => {
    const problems = problemsOf({
      operations: {
        qa: {
          retry: { maxAttempts: 0, respectRetryAfter: 'yes' },
          circuitBreaker: { openMs: -5, trip: { kind: 'failure-rate', threshold: 0 } },
          timeout: { ms: 'fast' },
          bulkhead: { maxQueue: 3 },
          fallback: { whenOpen: 1 },
        },
      },
    });
    const byPath = Object.fromEntries(problems.map((p) => [p.path, [p.value, p.expected]]));
    expect(byPath).toEqual({
      'operations.qa.retry.maxAttempts': [0, 'a number ≥ 1'],
      'operations.qa.retry.respectRetryAfter': ['yes', 'a boolean (true or false)'],
      'operations.qa.circuitBreaker.openMs': [-5, 'a number > 0'],
      'operations.qa.circuitBreaker.trip.threshold': [0, 'a number > 0'],
      'operations.qa.timeout.ms': ['fast', 'a number'],
      'operations.qa.bulkhead.maxConcurrent': [undefined, 'a number'],
      'operations.qa.fallback.whenOpen': [1, 'a boolean (true or false)'],
    });
  });

  it('a layer is an object of options or false', () => {
    const [problem] = problemsOf({ operations: { qa: { retry: true } } });
    expect(problem).toMatchObject({ path: 'operations.qa.retry', value: true });
    expect(problem?.expected).toMatch(/false or an object/);
  });

  it('throws one ConfigError listing them all; accepts a valid configuration as is', () => {
    expect(() =>
      assertValidConfig({ operations: { a: { retry: { maxAttempts: 0 } }, b: { timeout: -1 } } }),
    ).toThrow(ConfigError);
    try {
      assertValidConfig({ operations: { a: { retry: { maxAttempts: 0 } }, b: { timeout: -1 } } });
    } catch (error) {
      expect(isConfigError(error) && error.problems.length).toBe(2);
      expect((error as Error).message).toMatch(/2 problems/);
    }
    const config = {
      defaults: { strategy: 'balanced' as const },
      operations: { a: { timeout: 500 } },
    };
    expect(assertValidConfig(config)).toEqual(config);
    expect(validate(config)).toEqual([]);
  });
});

describe('fuzz: random and malformed configurations', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  const scalar = fc.oneof(
    fc.integer({ min: -5, max: 50 }),
    fc.double(),
    fc.constantFrom(Infinity, -Infinity, Number.NaN, 0, 1, 0.5, 1_000, 60_000),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      'exponential',
      'constant',
      'linear',
      'consecutive',
      'failure-rate',
      'count',
      'time',
      'balanced',
      'none',
    ),
  );
  const key = fc.constantFrom(
    'strategy',
    'retry',
    'circuitBreaker',
    'timeout',
    'bulkhead',
    'rateLimit',
    'fallback',
    'maxAttempts',
    'backoff',
    'kind',
    'initialMs',
    'delayMs',
    'trip',
    'threshold',
    'openMs',
    'minimumCalls',
    'window',
    'size',
    'maxQueue',
    'maxConcurrent',
    'halfOpen',
    'ms',
    'rate',
    'maxAtempts',
    '__proto__',
    'constructor',
    '',
  );
  // Nearly-right shapes, where bugs hide, mixed with anything at all.
  const nearly = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      scalar,
      fc.dictionary(key, tie('node'), { maxKeys: 5 }),
      fc.array(tie('node'), { maxLength: 3 }),
    ),
  })).node;
  const config = fc.oneof(
    fc.anything({
      withNullPrototype: true,
      withMap: true,
      withSet: true,
      withBigInt: true,
      withDate: true,
    }),
    fc.record(
      {
        preset: scalar,
        defaults: nearly,
        operations: fc.dictionary(fc.string({ maxLength: 6 }), nearly),
      },
      { requiredKeys: [] },
    ),
    nearly,
  );

  const onlyConfigErrors = (run: () => unknown): void => {
    try {
      run();
    } catch (error) {
      expect(isConfigError(error), String(error)).toBe(true);
      expect((error as ConfigError).problems.length).toBeGreaterThanOrEqual(1);
    }
  };

  it('validateConfig never throws, and is valid exactly when it finds no problem', () => {
    fc.assert(
      fc.property(
        config,
        fc.constantFrom('production', 'development' as const),
        (input, environment) => {
          const result = validateConfig(input, { environment });
          expect(result.valid).toBe(result.problems.length === 0);
          for (const p of result.problems) {
            expect(typeof p.path).toBe('string');
            expect(typeof p.message).toBe('string');
            expect(typeof p.expected).toBe('string');
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('loading files, env vars and overrides throws nothing but a ConfigError with problems', () => {
    const env = fc.dictionary(
      fc.constantFrom(
        'API_RETRY_MAX',
        'CIRCUIT_BREAKER_TIMEOUT',
        'CIRCUIT_BREAKER_ENABLED',
        'BREAKWATER_STRATEGY',
        'BREAKWATER_OP_QA_RETRY_MAX_ATTEMPTS',
        'BREAKWATER_BULKHEAD_MAX_QUEUE',
        'BREAKWATER_PRESET',
        'BREAKWATER_ENV',
        'BREAKWATER_X',
      ),
      fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.constantFrom('3', '0', '-1', 'inf', 'true', 'production'),
      ),
      { maxKeys: 4 },
    );
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      config.map((value) => {
        try {
          return JSON.stringify(value) ?? 'null';
        } catch {
          return '{';
        }
      }),
      fc.constantFrom(
        'a: [1',
        'operations:\n  qa:\n    retry: {maxAttempts: .inf}\n',
        '&a [*a]',
        'x: 1\nx: 2\n',
        '---\na: 1\n---\nb: 2\n',
      ),
    );
    let run = 0;
    fc.assert(
      fc.property(
        text,
        fc.constantFrom('json', 'yaml'),
        env,
        fc.option(config),
        (content, ext, vars, overrides) => {
          const file = dir.write(`fuzz-${run++ % 4}.${ext}`, content);
          onlyConfigErrors(() =>
            loadConfig({ env: vars, file, ...(overrides === null ? {} : { overrides }) }),
          );
          onlyConfigErrors(() => assertValidConfig(overrides));
        },
      ),
      { numRuns: 300 },
    );
  });
});
