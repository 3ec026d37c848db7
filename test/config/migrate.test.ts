import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/node/config/load.js';
import { migrateLegacyConfig } from '../../src/node/config/migrate.js';
import { tempDir } from './helpers.js';

describe('migrateLegacyConfig', () => {
  it('a simple legacy environment (seed 003 .env): high confidence, behaviour kept', () => {
    const result = migrateLegacyConfig({
      NODE_ENV: 'production',
      CIRCUIT_BREAKER_FAILURE_THRESHOLD: '5',
      CIRCUIT_BREAKER_TIMEOUT: '60',
      API_RETRY_MAX: '3',
      API_RETRY_BASE_DELAY: '1.0',
      VISION_MODEL_FALLBACK: 'anthropic:claude-3-5-sonnet-latest',
      METRICS_PORT: '8000',
      PATH: '/usr/bin',
    });
    expect(result.preset).toBe('production');
    expect(result.config.defaults).toEqual({
      retry: { maxAttempts: 4, backoff: { kind: 'exponential', initialMs: 1_000 } },
      circuitBreaker: { trip: { kind: 'consecutive', threshold: 5 }, openMs: 60_000 },
    });
    expect(result.mapped.map((m) => m.variable)).toEqual([
      'API_RETRY_BASE_DELAY',
      'API_RETRY_MAX',
      'CIRCUIT_BREAKER_FAILURE_THRESHOLD',
      'CIRCUIT_BREAKER_TIMEOUT',
    ]);
    // A fallback model name is code's business: reported, not guessed; unrelated names ignored.
    expect(result.unmapped).toEqual(['VISION_MODEL_FALLBACK']);
    expect(result.validation.valid).toBe(true);
    expect(result.confidence).toBe(0.9);
    expect(result.warnings.join('\n')).toMatch(/the environment looks like production/);
  });

  it('a per-operation legacy environment: strategies per operation, preset from the default strategy', () => {
    const result = migrateLegacyConfig({
      DEFAULT_RESILIENCE_STRATEGY: 'aggressive',
      SUMMARIZE_RESILIENCE_STRATEGY: 'conservative',
      QA_RESILIENCE_STRATEGY: 'critical',
      KEY_POINTS_RESILIENCE_STRATEGY: 'balanced',
      RETRY_MAX_ATTEMPTS: '4',
      RETRY_MAX_DELAY: '20',
      RETRY_EXPONENTIAL_MULTIPLIER: '2',
      RETRY_JITTER: 'true',
      ENABLE_CIRCUIT_BREAKER: 'true',
      CIRCUIT_BREAKER_RECOVERY_TIMEOUT: '30',
    });
    expect(result.preset).toBe('development');
    expect(result.config).toEqual({
      preset: 'development',
      defaults: {
        retry: {
          maxAttempts: 4,
          backoff: { kind: 'exponential', maxMs: 20_000, multiplier: 2, jitter: 0.1 },
        },
        circuitBreaker: { openMs: 30_000 },
      },
      operations: {
        summarize: { strategy: 'conservative' },
        qa: { strategy: 'critical' },
        key_points: { strategy: 'balanced' },
      },
    });
    expect(result.unmapped).toEqual([]);
    expect(result.validation.valid).toBe(true);
    expect(result.confidence).toBe(1);
  });

  it('a contradictory legacy environment: low confidence, every contradiction explained', () => {
    const result = migrateLegacyConfig({
      API_RETRY_MAX: '2',
      RETRY_MAX_ATTEMPTS: '6',
      CIRCUIT_BREAKER_ENABLED: 'false',
      CIRCUIT_BREAKER_FAILURE_THRESHOLD: '5',
      RETRY_BASE_DELAY: '0',
      SENTIMENT_RESILIENCE_STRATEGY: 'turbo',
      CIRCUIT_BREAKER_HALF_OPEN_CALLS: '2',
    });
    expect(result.config.defaults).toEqual({
      retry: { maxAttempts: 6, backoff: { kind: 'exponential', initialMs: 0 } },
      circuitBreaker: false,
    });
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        'API_RETRY_MAX=2 and RETRY_MAX_ATTEMPTS=6 disagree on defaults.retry.maxAttempts; kept RETRY_MAX_ATTEMPTS (6)',
        'SENTIMENT_RESILIENCE_STRATEGY=turbo ignored: expected one of aggressive, balanced, conservative, critical',
        'CIRCUIT_BREAKER_FAILURE_THRESHOLD=5 has no effect: circuitBreaker is turned off',
      ]),
    );
    expect(result.unmapped).toEqual([
      'CIRCUIT_BREAKER_HALF_OPEN_CALLS',
      'SENTIMENT_RESILIENCE_STRATEGY',
    ]);
    // The migrated configuration keeps the legacy zero delay, which validation rejects.
    expect(result.validation.valid).toBe(false);
    expect(result.validation.problems.map((p) => p.path)).toEqual([
      'defaults.retry.backoff.initialMs',
    ]);
    expect(result.confidence).toBeLessThan(0.3);
  });

  it('nothing to migrate: confidence 0', () => {
    const result = migrateLegacyConfig({ PATH: '/usr/bin', HOME: '/root' });
    expect(result.confidence).toBe(0);
    expect(result.mapped).toEqual([]);
    expect(result.warnings).toContain('no legacy resilience variable found');
  });

  it('the migrated configuration loads as a file', () => {
    const dir = tempDir();
    try {
      const { config } = migrateLegacyConfig({ API_RETRY_MAX: '3', CIRCUIT_BREAKER_TIMEOUT: '60' });
      const file = dir.write('migrated.json', JSON.stringify(config));
      const loaded = loadConfig({ env: {}, file });
      expect(loaded.preset).toBe('simple');
      expect(loaded.config.defaults).toMatchObject({
        strategy: 'balanced',
        retry: { maxAttempts: 4 },
        circuitBreaker: { openMs: 60_000 },
      });
    } finally {
      dir.cleanup();
    }
  });
});
