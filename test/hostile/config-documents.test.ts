import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createResilience } from '../../src/core/index.js';
import { ConfigError, isConfigError } from '../../src/core/errors/index.js';
import { loadConfig, validateConfig } from '../../src/node/index.js';
import { tempDir } from '../config/helpers.js';
import { expectCleanPrototypes } from './pollution.js';

const files = tempDir();
afterAll(() => files.cleanup());
afterEach(() => {
  vi.useRealTimers();
  expectCleanPrototypes();
});

/** The ConfigError `run` throws (failing the test when it throws anything else, or nothing). */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const messages = (error: { problems: readonly { path: string; message: string }[] }): string[] =>
  error.problems.map((p) => `${p.path}: ${p.message}`);

/** `levels` objects nested in one another. */
function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 0; i < levels; i++) {
    const child: Record<string, unknown> = {};
    node['a'] = child;
    node = child;
  }
  return root;
}

describe('defect 1: no input reaches a prototype', () => {
  it('BREAKWATER_OP___PROTO___… is a ConfigError, and later loads still work', () => {
    const error = configError(() =>
      loadConfig({ env: { BREAKWATER_OP___PROTO___RETRY_MAX_ATTEMPTS: '4' } }),
    );
    expect(messages(error).join('\n')).toMatch(/reserved operation name "__proto__" refused/);
    expect(Object.prototype).not.toHaveProperty('retry');
    expect(loadConfig({ env: {} }).config.operations).toBeDefined();
  });

  it('BREAKWATER_OP_CONSTRUCTOR_… is a ConfigError and writes nothing onto Object', () => {
    const error = configError(() =>
      loadConfig({ env: { BREAKWATER_OP_CONSTRUCTOR_TIMEOUT_MS: '5' } }),
    );
    expect(messages(error).join('\n')).toMatch(/reserved operation name "constructor"/);
    expect(Object).not.toHaveProperty('timeout');
  });

  it('BREAKWATER_constructor is an unknown variable (a warning), not a crash', () => {
    const loaded = loadConfig({ env: { BREAKWATER_constructor: '1' } });
    expect(loaded.warnings.map((w) => w.path)).toContain('env.BREAKWATER_constructor');
  });

  it.each([
    ['yaml', 'operations:\n  __proto__:\n    retry:\n      maxAttempts: 2\n'],
    ['json', '{"operations":{"__proto__":{"retry":{"maxAttempts":2}}}}'],
    ['json', '{"operations":{"constructor":{"retry":{"maxAttempts":2}}}}'],
    ['json', '{"defaults":{"retry":{"prototype":{"x":1}}}}'],
  ])('a %s file with a reserved key is a ConfigError naming it', (kind, text) => {
    const file = files.write(`reserved-${Math.random().toString(36).slice(2)}.${kind}`, text);
    const error = configError(() => loadConfig({ env: {}, file }));
    expect(messages(error).join('\n')).toMatch(/reserved key (__proto__|constructor|prototype)/);
  });

  it('validateConfig, createResilience and updateConfig refuse reserved keys', () => {
    const hostile = JSON.parse('{"operations":{"__proto__":{"timeout":5}}}') as unknown;
    const result = validateConfig(hostile);
    expect(result.valid).toBe(false);
    expect(result.problems[0]?.message).toMatch(/reserved key __proto__/);
    expect(() => createResilience({ config: hostile as never })).toThrow(ConfigError);
    const resilience = createResilience();
    expect(() => resilience.updateConfig(hostile)).toThrow(/reserved key __proto__/);
  });
});

describe('defect 2: input-sized costs are bounded', () => {
  it('a 10 MB strategy name is one problem, not an out-of-memory', () => {
    const result = validateConfig({ defaults: { strategy: 'x'.repeat(1e7) } });
    expect(result.valid).toBe(false);
    expect(result.problems[0]?.message).toMatch(/string too long: 10000000 characters/);
  });

  it('a 1 MB key and a 1 MB env var name are refused or ignored at once', () => {
    const key = 'k'.repeat(1e6);
    expect(validateConfig({ operations: { [key]: {} } }).problems[0]?.message).toMatch(
      /key too long: 1000000 characters, at most 256/,
    );
    const loaded = loadConfig({ env: { [`BREAKWATER_${'X_'.repeat(5e5)}`]: '1' } });
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]?.suggestion).toBeUndefined();
  });

  it('a long misspelt value still gets no suggestion, and a short one still does', () => {
    const long = validateConfig({ defaults: { strategy: 'balanced'.repeat(1000) } });
    expect(long.valid).toBe(false);
    expect(long.problems[0]?.suggestion).toBeUndefined();
    const short = validateConfig({ defaults: { retry: { maxAtempts: 3 } } });
    expect(short.problems[0]?.suggestion).toBe('maxAttempts');
  });
});

describe('defect 3: depth and size limits say so', () => {
  it('10,000-deep JSON is a ConfigError about nesting, not a stack overflow', () => {
    const text = `{"operations":${'{"a":'.repeat(10_000)}{}${'}'.repeat(10_000)}}`;
    const file = files.write('deep.json', text);
    const error = configError(() => loadConfig({ env: {}, file }));
    expect(messages(error).join('\n')).toMatch(/nested too deeply: more than 32 levels/);
  });

  it('10,000-deep YAML is a ConfigError about nesting', () => {
    const yaml = `operations: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    const file = files.write('deep.yaml', yaml);
    const error = configError(() => loadConfig({ env: {}, file }));
    expect(messages(error).join('\n')).toMatch(/nested too deeply/);
  });

  it('a YAML alias bomb is refused by size', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    }
    lines.push('operations: {}');
    const file = files.write('bomb.yaml', `${lines.join('\n')}\n`);
    const error = configError(() => loadConfig({ env: {}, file }));
    expect(messages(error).join('\n')).toMatch(/alias|too large|not valid YAML/i);
  });

  it('a document of more than 10,000 values, and a text over 1 MB, are refused', () => {
    const operations = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`op${i}`, {}]));
    expect(validateConfig({ operations }).problems[0]?.message).toMatch(
      /document too large: more than 10000 values/,
    );
    const file = files.write('huge.json', `{"operations":{},"x":"${'y'.repeat(2_000_000)}"}`);
    expect(messages(configError(() => loadConfig({ env: {}, file }))).join('\n')).toMatch(
      /is 2000\d+ characters, more than 1048576/,
    );
  });

  it('a deep runtime update is a ConfigError from updateConfig and loadConfig overrides', () => {
    const resilience = createResilience();
    expect(() => resilience.updateConfig({ operations: nested(10_000) })).toThrow(
      /nested too deeply/,
    );
    expect(() => loadConfig({ env: {}, overrides: { operations: nested(10_000) } })).toThrow(
      /nested too deeply/,
    );
  });
});

describe('defect 8: what validates constructs, and what is given is used', () => {
  it.each([
    [
      'a base delay above the strategy cap',
      {
        defaults: {
          strategy: 'aggressive',
          retry: { backoff: { kind: 'exponential', initialMs: 3000 } },
        },
      },
      /defaults\.retry: exponential: maxMs must be a number ≥ 3000/,
    ],
    [
      'initialMs above maxMs',
      {
        operations: {
          a: { retry: { backoff: { kind: 'exponential', initialMs: 5000, maxMs: 100 } } },
        },
      },
      /operations\.a\.retry: exponential: maxMs/,
    ],
    ['a timeout past the timer limit', { operations: { a: { timeout: 3e9 } } }, /≤ 2147483647/],
    [
      'a failure-rate window of 0.5 ms',
      {
        operations: {
          a: {
            circuitBreaker: { trip: { kind: 'failure-rate', window: { kind: 'time', ms: 0.5 } } },
          },
        },
      },
      /window\.ms must be a finite number ≥ 1, got 0\.5/,
    ],
  ])('%s fails validation, as it fails wrap', (_, config, message) => {
    const result = validateConfig(config);
    expect(result.valid).toBe(false);
    expect(messages(result).join('\n')).toMatch(message);
  });

  it('API_RETRY_BASE_DELAY=3 in development fails loadConfig, not a later wrap', () => {
    const error = configError(() =>
      loadConfig({ env: { API_RETRY_BASE_DELAY: '3' }, environment: 'development' }),
    );
    expect(messages(error).join('\n')).toMatch(/maxMs must be a number ≥ 3000/);
  });

  it('a backoff function given to wrap is used, not the default 1 s + 2 s', async () => {
    // Fake timers that nobody advances: a default 1 s sleep would never end.
    vi.useFakeTimers();
    const resilience = createResilience();
    const delays: number[] = [];
    let calls = 0;
    const op = resilience.wrap(
      'custom-backoff',
      () => {
        calls++;
        return Promise.reject(Object.assign(new Error('busy'), { status: 503 }));
      },
      { config: { retry: { maxAttempts: 3, backoff: (attempt) => (delays.push(attempt), 0) } } },
    );
    await expect(op()).rejects.toThrow('busy');
    expect(calls).toBe(3);
    expect(delays.slice(0, 2)).toEqual([1, 2]);
  });

  it('an unknown backoff kind is refused with the reason', () => {
    const resilience = createResilience();
    expect(() =>
      resilience.wrap('odd-backoff', () => 1, {
        config: { retry: { backoff: { kind: 'fibonacci' } as never } },
      }),
    ).toThrow(/retry: backoff must be \{ kind: 'exponential' \| 'constant' \| 'linear'/);
  });
});

describe('defect 10: overly permissive rate limiting', () => {
  it('rate 1e12 and burst 1e12 are errors in production and warnings elsewhere', () => {
    const config = { defaults: { rateLimit: { rate: 1e12, burst: 1e12 } } };
    const production = validateConfig({ ...config, preset: 'production' });
    expect(production.valid).toBe(false);
    expect(messages(production)).toEqual([
      expect.stringMatching(/rateLimit\.burst: a burst of 1000000000000 .* at most 10000/),
      expect.stringMatching(/rateLimit\.rate: a rate of 1000000000000 calls per second/),
    ]);
    const development = validateConfig(config, { environment: 'development' });
    expect(development.valid).toBe(true);
    expect(development.warnings.map((w) => w.path)).toEqual([
      'defaults.rateLimit.burst',
      'defaults.rateLimit.rate',
    ]);
  });
});
