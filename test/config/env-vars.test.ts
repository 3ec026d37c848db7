import { describe, expect, it } from 'vitest';
import { readEnvConfig } from '../../src/node/config/env-vars.js';
import { loadConfig } from '../../src/node/config/load.js';
import { valueAt } from '../../src/node/config/problems.js';
import { isConfigError } from '../../src/core/errors/index.js';

describe('environment variables', () => {
  // variable, value, path in the configuration, expected value there
  const table: [string, string, string, unknown][] = [
    [
      'CIRCUIT_BREAKER_FAILURE_THRESHOLD',
      '7',
      'defaults.circuitBreaker.trip',
      { kind: 'consecutive', threshold: 7 },
    ],
    ['CIRCUIT_BREAKER_TIMEOUT', '45', 'defaults.circuitBreaker.openMs', 45_000],
    ['CIRCUIT_BREAKER_TIMEOUT', '1.5', 'defaults.circuitBreaker.openMs', 1_500],
    ['CIRCUIT_BREAKER_ENABLED', 'false', 'defaults.circuitBreaker', false],
    ['CIRCUIT_BREAKER_ENABLED', 'true', 'defaults.circuitBreaker', {}],
    ['API_RETRY_MAX', '3', 'defaults.retry.maxAttempts', 4],
    ['API_RETRY_MAX', '0', 'defaults.retry.maxAttempts', 1],
    [
      'API_RETRY_BASE_DELAY',
      '1.0',
      'defaults.retry.backoff',
      { kind: 'exponential', initialMs: 1_000 },
    ],
    ['API_RETRY_BASE_DELAY', '0.25', 'defaults.retry.backoff.initialMs', 250],
    ['BREAKWATER_STRATEGY', 'Critical', 'defaults.strategy', 'critical'],
    ['BREAKWATER_PRESET', 'production', 'preset', 'production'],
    ['BREAKWATER_RETRY_ENABLED', 'off', 'defaults.retry', false],
    ['BREAKWATER_RETRY_MAX_ATTEMPTS', '4', 'defaults.retry.maxAttempts', 4],
    ['BREAKWATER_RETRY_INITIAL_DELAY_MS', '300', 'defaults.retry.backoff.initialMs', 300],
    ['BREAKWATER_RETRY_MULTIPLIER', '3', 'defaults.retry.backoff.multiplier', 3],
    ['BREAKWATER_RETRY_MAX_DELAY_MS', '9000', 'defaults.retry.backoff.maxMs', 9_000],
    ['BREAKWATER_RETRY_JITTER', '0.2', 'defaults.retry.backoff.jitter', 0.2],
    ['BREAKWATER_RETRY_JITTER', 'full', 'defaults.retry.backoff.jitter', 'full'],
    ['BREAKWATER_RETRY_MAX_ELAPSED_MS', '20000', 'defaults.retry.maxElapsedMs', 20_000],
    ['BREAKWATER_CIRCUIT_BREAKER_ENABLED', 'no', 'defaults.circuitBreaker', false],
    [
      'BREAKWATER_CIRCUIT_BREAKER_FAILURE_THRESHOLD',
      '9',
      'defaults.circuitBreaker.trip.threshold',
      9,
    ],
    ['BREAKWATER_CIRCUIT_BREAKER_OPEN_MS', '15000', 'defaults.circuitBreaker.openMs', 15_000],
    [
      'BREAKWATER_CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS',
      '2',
      'defaults.circuitBreaker.halfOpen.maxCalls',
      2,
    ],
    [
      'BREAKWATER_CIRCUIT_BREAKER_SUCCESSES_TO_CLOSE',
      '3',
      'defaults.circuitBreaker.halfOpen.successesToClose',
      3,
    ],
    ['BREAKWATER_TIMEOUT_MS', '2500', 'defaults.timeout.ms', 2_500],
    ['BREAKWATER_TIMEOUT_MODE', 'aggressive', 'defaults.timeout.mode', 'aggressive'],
    ['BREAKWATER_BULKHEAD_MAX_CONCURRENT', '8', 'defaults.bulkhead.maxConcurrent', 8],
    ['BREAKWATER_BULKHEAD_MAX_QUEUE', '16', 'defaults.bulkhead.maxQueue', 16],
    ['BREAKWATER_RATE_LIMIT_RATE', '50', 'defaults.rateLimit.rate', 50],
    ['BREAKWATER_RATE_LIMIT_INTERVAL_MS', '1000', 'defaults.rateLimit.intervalMs', 1_000],
    ['BREAKWATER_RATE_LIMIT_BURST', '10', 'defaults.rateLimit.burst', 10],
    [
      'BREAKWATER_OP_SUMMARIZE_RETRY_MAX_ATTEMPTS',
      '5',
      'operations.summarize.retry.maxAttempts',
      5,
    ],
    [
      'BREAKWATER_OP_SUMMARIZE_STRATEGY',
      'conservative',
      'operations.summarize.strategy',
      'conservative',
    ],
    [
      'BREAKWATER_OP_QA_CIRCUIT_BREAKER_OPEN_MS',
      '5000',
      'operations.qa.circuitBreaker.openMs',
      5_000,
    ],
    ['BREAKWATER_OP_KEY_POINTS_TIMEOUT_MS', '800', 'operations.key_points.timeout.ms', 800],
  ];

  it.each(table)('%s=%s sets %s', (name, value, path, expected) => {
    const read = readEnvConfig({ [name]: value });
    expect(read.problems).toEqual([]);
    expect(valueAt(read.config, path.split('.'))).toEqual(expected);
  });

  it('maps an operation variable onto the spelling the other sources use', () => {
    const read = readEnvConfig({ BREAKWATER_OP_KEY_POINTS_TIMEOUT_MS: '800' }, ['key-points']);
    expect(read.config['operations']).toEqual({ 'key-points': { timeout: { ms: 800 } } });
    expect(read.sources.get('operations.key-points.timeout.ms')).toBe(
      'BREAKWATER_OP_KEY_POINTS_TIMEOUT_MS',
    );
  });

  it('the BREAKWATER_* name wins over the seed name for the same setting', () => {
    const read = readEnvConfig({ API_RETRY_MAX: '2', BREAKWATER_RETRY_MAX_ATTEMPTS: '5' });
    expect(valueAt(read.config, ['defaults', 'retry', 'maxAttempts'])).toBe(5);
  });

  it('reports every malformed value, each naming its variable', () => {
    const read = readEnvConfig({
      API_RETRY_MAX: 'three',
      CIRCUIT_BREAKER_TIMEOUT: '',
      CIRCUIT_BREAKER_ENABLED: 'maybe',
    });
    expect(read.problems.map((p) => [p.path, p.value])).toEqual([
      ['env.CIRCUIT_BREAKER_TIMEOUT', ''],
      ['env.CIRCUIT_BREAKER_ENABLED', 'maybe'],
      ['env.API_RETRY_MAX', 'three'],
    ]);
    expect(read.problems[2]?.expected).toMatch(/retries/);
  });

  it('warns about unknown BREAKWATER_* variables, suggesting the one meant', () => {
    const read = readEnvConfig({
      BREAKWATER_RETRY_MAX_ATEMPTS: '3',
      BREAKWATER_OP_QA_RETRY_MAX_ATEMPTS: '3',
    });
    expect(read.warnings.map((w) => w.suggestion)).toEqual([
      'BREAKWATER_OP_QA_RETRY_MAX_ATTEMPTS',
      'BREAKWATER_RETRY_MAX_ATTEMPTS',
    ]);
    expect(read.config).toEqual({});
  });

  it('values from env vars are validated like any other, naming the variable', () => {
    let caught: unknown;
    try {
      loadConfig({ env: { BREAKWATER_STRATEGY: 'agressive', API_RETRY_MAX: '20' } });
    } catch (error) {
      caught = error;
    }
    expect(isConfigError(caught)).toBe(true);
    if (!isConfigError(caught)) return;
    expect(caught.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'defaults.strategy',
          suggestion: 'aggressive',
          message: expect.stringContaining('env (BREAKWATER_STRATEGY)') as unknown,
        }),
        expect.objectContaining({
          path: 'defaults.retry.maxAttempts',
          value: 21,
          message: expect.stringContaining('API_RETRY_MAX') as unknown,
        }),
      ]),
    );
  });
});
