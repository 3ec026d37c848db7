import { afterEach, describe, expect, it } from 'vitest';
import { presets } from '../../src/core/presets/index.js';
import { loadConfig } from '../../src/node/config/load.js';
import { tempDir } from './helpers.js';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
const file = (name: string, text: string): string => {
  const d = tempDir();
  dirs.push(d);
  return d.write(name, text);
};

describe('loadConfig: defaults < preset < file < env vars < runtime', () => {
  const qaAttempts = (options: Parameters<typeof loadConfig>[0]) => {
    const loaded = loadConfig(options);
    const entry = loaded.config.operations['qa'];
    const retry = entry?.retry === false ? undefined : entry?.retry;
    return {
      strategy: entry?.strategy,
      attempts: retry?.maxAttempts,
      source: loaded.sources.operations.get('qa')?.get('retry.maxAttempts'),
    };
  };
  const yaml = 'preset: production\noperations:\n  qa:\n    retry: { maxAttempts: 4 }\n';

  it('built-in defaults alone: the balanced strategy, nothing else', () => {
    const loaded = loadConfig({ env: {}, environment: 'testing' });
    expect(loaded.preset).toBe('simple');
    expect(loaded.config.defaults).toEqual({ strategy: 'balanced' });
    expect(loaded.sources.defaults.get('strategy')).toBe('preset:simple');
  });

  it('the preset overrides the built-in defaults', () => {
    const loaded = loadConfig({ env: {}, environment: 'production' });
    expect(loaded.preset).toBe('production');
    expect(loaded.config.defaults.strategy).toBe(presets.production.defaults?.strategy);
    expect(loaded.sources.defaults.get('strategy')).toBe('preset:production');
    // A preset holds defaults only: it names none of an application's operations.
    expect(loaded.config.operations).toEqual({});
  });

  it('the file overrides the preset', () => {
    expect(qaAttempts({ env: {}, file: file('a.yaml', yaml) })).toEqual({
      strategy: undefined,
      attempts: 4,
      source: expect.stringMatching(/^file:.*a\.yaml$/) as unknown,
    });
  });

  it('env vars override the file, the per-operation variable beating the general one', () => {
    const path = file('a.yaml', yaml);
    expect(qaAttempts({ env: { API_RETRY_MAX: '1' }, file: path })).toMatchObject({
      attempts: 2,
      source: 'env (API_RETRY_MAX)',
    });
    expect(
      qaAttempts({
        env: { API_RETRY_MAX: '1', BREAKWATER_OP_QA_RETRY_MAX_ATTEMPTS: '6' },
        file: path,
      }),
    ).toMatchObject({ attempts: 6, source: 'env (BREAKWATER_OP_QA_RETRY_MAX_ATTEMPTS)' });
  });

  it('runtime overrides beat everything', () => {
    const result = qaAttempts({
      env: { BREAKWATER_OP_QA_RETRY_MAX_ATTEMPTS: '6' },
      file: file('a.yaml', yaml),
      overrides: { operations: { qa: { retry: { maxAttempts: 5 } } } },
    });
    expect(result).toMatchObject({ attempts: 5, source: 'runtime' });
  });

  it('the preset is named by the highest source, else chosen from the environment', () => {
    const path = file('p.yaml', 'preset: development\noperations: {}\n');
    expect(loadConfig({ env: { NODE_ENV: 'production' } }).preset).toBe('production');
    expect(loadConfig({ env: { NODE_ENV: 'production' }, file: path }).preset).toBe('development');
    expect(
      loadConfig({ env: { NODE_ENV: 'production', BREAKWATER_PRESET: 'simple' }, file: path })
        .preset,
    ).toBe('simple');
  });

  it("a higher source's defaults replace a lower source's per-operation value, not the others", () => {
    const loaded = loadConfig({
      env: { BREAKWATER_STRATEGY: 'aggressive' },
      file: file('q.yaml', 'operations:\n  qa: { strategy: critical }\n'),
    });
    // The file set qa to critical; the operator's general strategy wins over it …
    expect(loaded.config.operations['qa']?.strategy).toBe('aggressive');
    expect(loaded.sources.operations.get('qa')?.get('strategy')).toBe('env (BREAKWATER_STRATEGY)');
    // … and operations the file left alone take the defaults without pinning them.
    const path = file('t.yaml', 'operations:\n  ocr: { timeout: 2000 }\n');
    const withFile = loadConfig({ env: { API_RETRY_MAX: '2' }, file: path });
    expect(withFile.config.operations['ocr']).toEqual({ timeout: 2000 });
    expect(withFile.config.defaults.retry).toEqual({ maxAttempts: 3 });
  });

  it('the file path may come from BREAKWATER_CONFIG_FILE', () => {
    const path = file('c.json', JSON.stringify({ operations: { ocr: { timeout: 1500 } } }));
    const loaded = loadConfig({ env: { BREAKWATER_CONFIG_FILE: path } });
    expect(loaded.config.operations['ocr']).toEqual({ timeout: 1500 });
  });

  it('a layer turned off at a higher source stays off, and a lower kind is replaced, not blended', () => {
    const path = file(
      'k.yaml',
      'defaults:\n  retry:\n    backoff: { kind: constant, delayMs: 500 }\n',
    );
    const loaded = loadConfig({
      env: { BREAKWATER_RETRY_INITIAL_DELAY_MS: '200', CIRCUIT_BREAKER_ENABLED: 'false' },
      file: path,
    });
    expect(loaded.config.defaults.retry).toEqual({
      backoff: { kind: 'exponential', initialMs: 200 },
    });
    expect(loaded.config.defaults.circuitBreaker).toBe(false);
  });
});
