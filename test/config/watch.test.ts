import { rmSync, watch, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createResilience, type Resilience } from '../../src/core/orchestrator/resilience.js';
import { isConfigError } from '../../src/core/errors/index.js';
import { readAuditLog, recordAuditLog } from '../../src/node/config/audit-log.js';
import { loadConfig } from '../../src/node/config/load.js';
import { validate } from '../../src/node/config/validate.js';
import { watchConfig, type ConfigWatcher, type ReloadResult } from '../../src/node/config/watch.js';
import { tempDir } from './helpers.js';
import { waitFor } from '../support/wait-for.js';

const v1 = `operations:
  summarize:
    strategy: conservative
    retry: { maxAttempts: 3 }
  qa:
    timeout: 5000
`;
const v2 = `operations:
  summarize:
    strategy: conservative
    retry: { maxAttempts: 4 }
`;

const cleanups: (() => void)[] = [];
afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((fn) => fn()),
);

/** A service as it would start: config loaded from the file, validated by the node rules. */
function start(text = v1) {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const file = dir.write('resilience.yaml', text);
  const clock = { now: () => Date.UTC(2026, 0, 2, 3, 4, 5) };
  const resilience = createResilience({
    config: loadConfig({ env: {}, file, environment: 'production' }).config,
    validate,
    clock,
  });
  resilience.wrap('summarize', () => Promise.resolve('summary'));
  const results: ReloadResult[] = [];
  const watcher = watchConfig(file, resilience, {
    env: {},
    environment: 'production',
    debounceMs: 20,
    onReload: (result) => results.push(result),
  });
  cleanups.push(() => watcher.close());
  return { dir, file, resilience, watcher, results };
}

const attempts = (resilience: Resilience, operation: string): unknown => {
  const retry = resilience.config().operations[operation]?.retry;
  return retry === false ? false : retry?.maxAttempts;
};

describe('watchConfig', () => {
  it('a changed file is reloaded (debounced) and applied; breaker state is kept', async () => {
    const { file, resilience, results } = start();
    resilience.breaker('summarize')?.isolate();
    // An editor writing in bursts (whether the debounce folds them into one reload or not,
    // the same change is applied once: the second write says nothing new).
    writeFileSync(file, `# draft\n${v2}`);
    writeFileSync(file, v2);
    await waitFor(() => attempts(resilience, 'summarize') === 4);
    expect(results.at(-1)).toMatchObject({ ok: true });
    expect(resilience.breaker('summarize')?.state).toBe('isolated');
    // qa left the file: what the file said of it is gone (the preset names no operation).
    expect(resilience.config().operations['qa']).toBeUndefined();
    const entry = resilience.auditTrail().at(-1);
    expect(entry).toMatchObject({ source: 'file', actor: file, at: '2026-01-02T03:04:05.000Z' });
    expect(entry?.changes).toEqual(
      expect.arrayContaining([
        { path: 'operations.summarize.retry.maxAttempts', before: 3, after: 4 },
        { path: 'operations.qa', before: { timeout: 5000 }, after: undefined },
      ]),
    );
  });

  it('a bad file keeps the old configuration and reports every problem', () => {
    const { file, resilience, watcher, results } = start();
    writeFileSync(
      file,
      v1.replace('maxAttempts: 3', 'maxAttempts: 30').replace('strategy', 'stratgy'),
    );
    const result = watcher.reload();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('invalid');
    expect(result.error.problems.map((p) => p.path)).toEqual([
      'operations.summarize.retry.maxAttempts',
      'operations.summarize.stratgy',
    ]);
    expect(results).toEqual([result]);
    expect(attempts(resilience, 'summarize')).toBe(3);
    expect(resilience.auditTrail()).toEqual([]);
    // Broken YAML is no different.
    writeFileSync(file, 'operations: [\n');
    const broken = watcher.reload();
    expect(!broken.ok && broken.error.problems[0]?.message).toMatch(/not valid YAML/);
    expect(attempts(resilience, 'summarize')).toBe(3);
  });

  it('a file that disappears keeps the configuration; when it comes back it is loaded', async () => {
    const { file, resilience, results } = start();
    rmSync(file);
    await waitFor(() => results.some((r) => !r.ok && r.reason === 'missing'));
    const missing = results.find((r) => !r.ok);
    expect(!missing?.ok && missing?.error.problems[0]?.message).toMatch(/disappeared/);
    expect(attempts(resilience, 'summarize')).toBe(3);
    writeFileSync(file, v2);
    await waitFor(() => attempts(resilience, 'summarize') === 4);
    expect(results.at(-1)?.ok).toBe(true);
  });

  it('an unchanged file applies nothing and records nothing', () => {
    const { resilience, watcher } = start();
    expect(watcher.reload()).toEqual({ ok: true, entry: undefined });
    expect(resilience.auditTrail()).toEqual([]);
  });

  it('runtime updates to other settings survive a reload of the file', () => {
    const { file, resilience, watcher } = start();
    resilience.updateConfig({ operations: { summarize: { timeout: 900 } } }, { actor: 'ops' });
    writeFileSync(file, v2);
    expect(watcher.reload().ok).toBe(true);
    expect(resilience.config().operations['summarize']).toMatchObject({
      timeout: 900,
      retry: { maxAttempts: 4 },
    });
  });

  it('a file that names another preset brings that preset’s settings, under the env vars', () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const file = dir.write('resilience.yaml', `preset: production\n${v1}`);
    // The same strategy as production's default, set by an env var: it must outlive the switch.
    const env = { BREAKWATER_STRATEGY: 'conservative' };
    const load = () => loadConfig({ env, file, environment: 'production' }).config;
    const resilience = createResilience({ config: load(), validate });
    const watcher = watchConfig(file, resilience, { env, environment: 'production' });
    cleanups.push(() => watcher.close());

    writeFileSync(file, `preset: simple\n${v2}`);
    expect(watcher.reload().ok).toBe(true);
    expect(resilience.config()).toEqual(load());
    expect(resilience.config().preset).toBe('simple');
    expect(resilience.config().defaults).toEqual({ strategy: 'conservative' });
    expect(resilience.config().operations['qa']).toBeUndefined();
  });

  it('an invalid initial file throws a ConfigError', () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const file = dir.write('bad.yaml', 'operations: { qa: { retry: { maxAttempts: 0 } } }\n');
    let caught: unknown;
    try {
      watchConfig(file, createResilience());
    } catch (error) {
      caught = error;
    }
    expect(isConfigError(caught)).toBe(true);
  });

  it('after close, changes are no longer applied and close is idempotent', async () => {
    const { dir, file, resilience, watcher } = start();
    watcher.close();
    watcher.close();
    // Our own watcher tells us when the change has reached the file system; then we give
    // the closed watcher several debounce periods in which it must not act.
    let seen = false;
    const probe = watch(dir.dir, () => (seen = true));
    cleanups.push(() => probe.close());
    writeFileSync(file, v2);
    await waitFor(() => seen);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(attempts(resilience, 'summarize')).toBe(3);
  });
});

describe('audit trail', () => {
  it('records each change (when, source, actor, each path before → after), in memory and as JSON lines', () => {
    const {
      dir,
      file,
      resilience,
      watcher,
    }: {
      dir: ReturnType<typeof tempDir>;
      file: string;
      resilience: Resilience;
      watcher: ConfigWatcher;
    } = start();
    const log = `${dir.dir}/audit.jsonl`;
    const stop = recordAuditLog(resilience, log);
    resilience.updateConfig(
      { operations: { summarize: { circuitBreaker: { openMs: 90_000 } } } },
      { source: 'admin', actor: 'alice' },
    );
    writeFileSync(file, v2);
    watcher.reload();
    expect(() =>
      resilience.updateConfig({ operations: { summarize: { retry: { maxAttempts: 50 } } } }),
    ).toThrow(/at most 10/);
    resilience.updateConfig({ defaults: { timeout: 2_000 } });
    stop();
    resilience.updateConfig({ defaults: { timeout: 3_000 } });

    const trail = resilience.auditTrail();
    expect(trail.map((e) => [e.source, e.actor])).toEqual([
      ['admin', 'alice'],
      ['file', file],
      ['runtime', undefined],
      ['runtime', undefined],
    ]);
    expect(trail[0]?.changes).toEqual([
      { path: 'operations.summarize.circuitBreaker', before: undefined, after: { openMs: 90_000 } },
    ]);
    expect(trail[0]?.at).toBe('2026-01-02T03:04:05.000Z');
    // The log holds what was recorded while it was attached: the rejected change is absent.
    const logged = readAuditLog(log);
    expect(logged).toHaveLength(3);
    expect(logged[0]).toEqual(JSON.parse(JSON.stringify(trail[0])));
    expect(logged[2]?.changes).toEqual([{ path: 'defaults.timeout', after: 2_000 }]);
  });
});
