import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors/index.js';
import { createResilience } from '../../src/core/orchestrator/resilience.js';
import { resolveOperation } from '../../src/core/orchestrator/resolve.js';
import { presets } from '../../src/core/presets/index.js';
import { explainConfig } from '../../src/node/config/explain.js';
import { loadConfig } from '../../src/node/config/load.js';
import { validate } from '../../src/node/config/validate.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => dir.cleanup());

/** An explained operation's settings folded back into an object. */
function unflatten(settings: readonly { path: string; value: unknown }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { path, value } of settings) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1] ?? ''] = value;
  }
  return out;
}

describe('with the orchestrator', () => {
  it('every preset starts a resilience instance as is, on the production rules', () => {
    for (const preset of Object.values(presets)) {
      const resilience = createResilience({ preset, validate });
      resilience.wrap('qa', () => 'answer');
      expect(resilience.breaker('qa')).toBeDefined();
      expect(resilience.config().preset).toBe(preset.preset);
    }
    // The production preset names itself, so the hook applies the production rules to updates.
    const strict = createResilience({ preset: presets.production, validate });
    expect(() =>
      strict.updateConfig({ operations: { qa: { circuitBreaker: { openMs: 100 } } } }),
    ).toThrow(ConfigError);
  });

  it('explain shows what the orchestrator resolves, for every operation', () => {
    const file = dir.write(
      'svc.yaml',
      `preset: production
defaults:
  timeout: { ms: 8000 }
  retry: { backoff: { kind: constant, delayMs: 400 } }
operations:
  summarize:
    retry: { maxAttempts: 4 }
    bulkhead: { maxConcurrent: 3 }
  ocr:
    strategy: aggressive
    circuitBreaker: false
`,
    );
    const loaded = loadConfig({
      env: { API_RETRY_MAX: '2', BREAKWATER_OP_QA_TIMEOUT_MS: '1500' },
      file,
    });
    const resilience = createResilience({ config: loaded.config, validate });
    for (const explained of explainConfig(loaded)) {
      // `*` stands for an operation the configuration does not name.
      const name = explained.operation === '*' ? 'not-configured' : explained.operation;
      const resolved = resolveOperation(name, {}, resilience.config());
      expect(unflatten(explained.settings), explained.operation).toEqual(resolved);
    }
  });
});
