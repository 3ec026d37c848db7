import { describe, expect, it } from 'vitest';
import { detectEnvironment, presetFor } from '../../src/node/config/environment.js';

describe('detectEnvironment', () => {
  // env, environment, confidence (exact: the figures are part of the contract of the table)
  const table: [string, Record<string, string>, string, number][] = [
    [
      'BREAKWATER_ENV decides outright',
      { BREAKWATER_ENV: 'production', NODE_ENV: 'development' },
      'production',
      1,
    ],
    ['BREAKWATER_ENV accepts aliases', { BREAKWATER_ENV: 'stg' }, 'staging', 1],
    ['NODE_ENV alone', { NODE_ENV: 'production' }, 'production', 0.8],
    ['NODE_ENV=test', { NODE_ENV: 'test' }, 'testing', 0.8],
    [
      'NODE_ENV and a production host agree',
      { NODE_ENV: 'production', HOSTNAME: 'api-prod-3' },
      'production',
      0.9,
    ],
    ['a production host name alone', { HOSTNAME: 'checkout-prod-7f9c' }, 'production', 0.5],
    ['a staging host name', { HOSTNAME: 'web-staging-2' }, 'staging', 0.5],
    ['CI markers', { CI: 'true', GITHUB_ACTIONS: 'true' }, 'testing', 0.6],
    [
      'CI overrides a development NODE_ENV only partly',
      { CI: 'true', NODE_ENV: 'development' },
      'development',
      0.5,
    ],
    ['Vercel preview', { VERCEL_ENV: 'preview' }, 'staging', 0.8],
    [
      'Kubernetes alone is weak evidence',
      { KUBERNETES_SERVICE_HOST: '10.0.0.1' },
      'production',
      0.3,
    ],
    [
      'Kubernetes and APP_ENV',
      { KUBERNETES_SERVICE_HOST: '10.0.0.1', APP_ENV: 'prod' },
      'production',
      0.83,
    ],
    ['DEBUG on a laptop', { DEBUG: 'true', HOSTNAME: 'alice-laptop' }, 'development', 0.3],
    ['nothing at all', {}, 'development', 0.2],
    [
      'a misspelt BREAKWATER_ENV is ignored',
      { BREAKWATER_ENV: 'prodution', NODE_ENV: 'production' },
      'production',
      0.8,
    ],
  ];

  it.each(table)('%s', (_name, env, environment, confidence) => {
    const detected = detectEnvironment(env);
    expect(detected.environment).toBe(environment);
    expect(detected.confidence).toBeCloseTo(confidence, 2);
    expect(detected.reasoning.length).toBeGreaterThan(0);
  });

  it('explains itself: every signal and the decision', () => {
    const detected = detectEnvironment({
      NODE_ENV: 'production',
      CI: 'true',
      HOSTNAME: 'api-prod-1',
    });
    expect(detected.environment).toBe('production');
    expect(detected.reasoning.join('\n')).toMatch(/NODE_ENV=production/);
    expect(detected.reasoning.join('\n')).toMatch(/CI is set/);
    expect(detected.reasoning.join('\n')).toMatch(/api-prod-1 looks like a production host name/);
    expect(detected.reasoning.join('\n')).toMatch(/conflicting signals/);
    expect(detected.reasoning.at(-1)).toMatch(/chose production with confidence/);
    // Conflicting evidence lowers confidence below what the agreeing signals alone give.
    expect(detected.confidence).toBeLessThan(
      detectEnvironment({ NODE_ENV: 'production', HOSTNAME: 'api-prod-1' }).confidence,
    );
  });

  it('says which signals an explicit BREAKWATER_ENV overrode', () => {
    const detected = detectEnvironment({ BREAKWATER_ENV: 'development', NODE_ENV: 'production' });
    expect(detected.reasoning).toContain('overridden: NODE_ENV=production names production');
  });

  it('maps environments to presets', () => {
    expect(presetFor('production')).toBe('production');
    expect(presetFor('staging')).toBe('production');
    expect(presetFor('development')).toBe('development');
    expect(presetFor('testing')).toBe('simple');
  });
});
