import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigError } from '../../src/core/index.js';
import {
  createGateway,
  parseGatewayText,
  redactGatewayConfig,
  validateGatewayConfig,
  type GatewayConfig,
} from '../../src/gateway/index.js';
import { fakeUpstream, openaiCompletion, type FakeUpstream } from '../support/fake-llm.js';
import { startGateway, type Running } from './helpers.js';

const run = promisify(execFile);
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const specExample = `
listen: { host: 127.0.0.1, port: 8080 }
admin: { host: 127.0.0.1, port: 9090, token: \${BREAKWATER_ADMIN_TOKEN} }
store: { file: ./breakwater-state.json }
upstreams:
  openai:
    url: https://api.openai.com
    headers: { authorization: "Bearer \${OPENAI_API_KEY}" }
    circuitBreaker: { trip: { kind: consecutive, threshold: 5 }, openMs: 30000 }
    bulkhead: { maxConcurrent: 100, maxQueue: 100 }
  backup: { url: "http://user:pw@10.0.0.7:8000" }
routes:
  - name: chat
    match: { method: POST, path: /v1/chat/completions, model: "gpt-4o*" }
    kind: openai
    targets:
      - { upstream: openai, model: gpt-4o }
      - { upstream: backup, model: llama-3-70b }
    retry: { maxAttempts: 3 }
    timeout: { perTryMs: 30000, totalMs: 100000 }
    stream: { firstChunkMs: 10000, idleMs: 15000, resume: prefill }
    staleCache: { ttlMs: 300000 }
  - name: rest
    match: { path: /api/ }
    targets: [{ upstream: backup }]
`;
const env = { BREAKWATER_ADMIN_TOKEN: 'admin-secret-0123456789', OPENAI_API_KEY: 'sk-secret' };

describe('gateway configuration', () => {
  it('accepts the SPEC §10 example, with ${VAR} taken from the environment', () => {
    const result = validateGatewayConfig(parseGatewayText(specExample, 'gateway.yaml'), env);
    expect(result.problems).toEqual([]);
    if (!result.ok) return;
    expect(result.config.upstreams['openai']?.headers?.['authorization']).toBe('Bearer sk-secret');
    expect(result.config.admin?.token).toBe('admin-secret-0123456789');
  });

  it('reports every problem at once: missing variables, misspelt keys, unknown upstreams', () => {
    const broken = specExample
      .replace('maxAttempts: 3', 'maxAtempts: 3')
      .replace('{ upstream: backup }]', '{ upstream: bakup }]');
    const result = validateGatewayConfig(parseGatewayText(broken, 'gateway.yaml'), {});
    expect(result.ok).toBe(false);
    const paths = result.problems.map((p) => p.path).sort();
    expect(paths).toEqual(
      ['admin.token', 'upstreams.openai.headers.authorization', 'routes.0.retry.maxAtempts'].sort(),
    );
    expect(result.problems.find((p) => p.path === 'admin.token')?.message).toBe(
      '${BREAKWATER_ADMIN_TOKEN} is not set in the environment',
    );
    expect(result.problems.find((p) => p.path === 'routes.0.retry.maxAtempts')?.suggestion).toBe(
      'maxAttempts',
    );
    // Once the shape is right, the references between sections are checked too.
    const second = validateGatewayConfig(
      parseGatewayText(broken.replace('maxAtempts', 'maxAttempts'), 'g.yaml'),
      env,
    );
    expect(second.problems.map((p) => [p.path, p.suggestion])).toEqual([
      ['routes.1.targets.0.upstream', 'backup'],
    ]);
  });

  it('never shows a secret: header values, the admin token and URL credentials are redacted', () => {
    const result = validateGatewayConfig(parseGatewayText(specExample, 'gateway.yaml'), env);
    if (!result.ok) throw new Error('invalid');
    const shown = JSON.stringify(redactGatewayConfig(result.config));
    for (const secret of ['sk-secret', 'admin-secret', 'user:pw'])
      expect(shown).not.toContain(secret);
    expect(shown).toContain('[redacted]');
  });

  it('`breakwater config validate` knows a gateway file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-gw-validate-'));
    try {
      const good = join(dir, 'gateway.yaml');
      const budgeted = specExample.replace(
        'retry: { maxAttempts: 3 }',
        'retry: { maxAttempts: 3, budget: { ratio: 0.2, minRetriesPerSecond: 3, windowMs: 10000 } }',
      );
      writeFileSync(good, budgeted);
      const ok = await run(
        process.execPath,
        ['--import', 'tsx', main, 'config', 'validate', good],
        {
          env: { ...process.env, ...env },
        },
      );
      expect(ok.stdout).toContain('is valid');
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, budgeted.replace('ratio: 0.2', 'ratio: 1.5'));
      const worse = join(dir, 'worse.yaml');
      writeFileSync(worse, budgeted.replace('{ upstream: backup }]', '{ upstream: bakup }]'));
      const refused = await run(
        process.execPath,
        ['--import', 'tsx', main, 'config', 'validate', bad],
        { env: { ...process.env, ...env } },
      ).then(
        () => undefined,
        (error: { code: number; stdout: string }) => error,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stdout).toContain('routes.0.retry.budget.ratio');
      const failed = await run(
        process.execPath,
        ['--import', 'tsx', main, 'config', 'validate', worse],
        {
          env: { ...process.env, ...env },
        },
      ).then(
        () => undefined,
        (error: { code: number; stdout: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stdout).toContain('unknown upstream "bakup" (did you mean "backup"?)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reload', () => {
  let running: Running | undefined;
  let upstream: FakeUpstream | undefined;
  afterEach(async () => {
    await running?.close();
    await upstream?.close();
  });

  const configFor = (url: string, path: string): GatewayConfig => ({
    listen: { port: 0 },
    upstreams: {
      main: {
        url,
        circuitBreaker: { trip: { kind: 'consecutive', threshold: 1 }, openMs: 60_000 },
      },
    },
    routes: [
      { name: 'r', match: { path }, targets: [{ upstream: 'main' }], retry: { maxAttempts: 1 } },
    ],
  });

  it('keeps breaker state across a reload; a bad config throws and the old one keeps serving', async () => {
    upstream = await fakeUpstream(() => ({ type: 'json', status: 500, body: {} }));
    running = await startGateway(configFor(upstream.url, '/a'));
    expect((await fetch(`${running.url}/a`)).status).toBe(500);
    const breaker = running.gateway.resilience.breaker('main');
    expect(breaker?.state).toBe('open');

    running.gateway.reload(configFor(upstream.url, '/b'));
    expect(running.gateway.resilience.breaker('main')?.state).toBe('open');
    expect((await fetch(`${running.url}/b`)).status).toBe(503);
    expect(upstream.received).toHaveLength(1);

    let thrown: unknown;
    try {
      running.gateway.reload({ listen: { port: 0 }, upstreams: {}, routes: [] });
    } catch (error) {
      thrown = error;
    }
    expect(isConfigError(thrown)).toBe(true);
    expect(running.gateway.config().routes[0]?.match.path).toBe('/b');
  });

  it('with store: { file }, an open breaker survives a restart of the gateway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-gw-file-'));
    try {
      upstream = await fakeUpstream(() => ({ type: 'json', status: 500, body: {} }));
      const config = { ...configFor(upstream.url, '/a'), store: { file: join(dir, 'state.json') } };
      running = await startGateway(config);
      expect((await fetch(`${running.url}/a`)).status).toBe(500);
      await running.close();
      running = await startGateway(config);
      expect(running.gateway.resilience.breaker('main')?.state).toBe('open');
      expect((await fetch(`${running.url}/a`)).status).toBe(503);
      expect(upstream.received).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('createGateway refuses an invalid config with every problem', () => {
    let thrown: unknown;
    try {
      createGateway({ listen: { port: -1 }, upstreams: {}, routes: [] }, { env: {} });
    } catch (error) {
      thrown = error;
    }
    expect(isConfigError(thrown)).toBe(true);
    expect(isConfigError(thrown) && thrown.problems.map((p) => p.path)).toEqual([
      'listen.port',
      'routes',
    ]);
  });

  it('a route answers GET from its stale answers by default', async () => {
    let up = true;
    upstream = await fakeUpstream(() =>
      up
        ? { type: 'json', body: openaiCompletion('fresh') }
        : { type: 'json', status: 502, body: {} },
    );
    running = await startGateway({
      listen: { port: 0 },
      upstreams: { main: { url: upstream.url } },
      routes: [
        {
          name: 'r',
          match: { method: 'GET', path: '/api/' },
          targets: [{ upstream: 'main' }],
          retry: { maxAttempts: 1 },
        },
      ],
    });
    const first = await fetch(`${running.url}/api/x?q=1`);
    const body = await first.text();
    up = false;
    const second = await fetch(`${running.url}/api/x?q=1`);
    expect(second.headers.get('x-breakwater-fallback')).toBe('cache');
    expect(await second.text()).toBe(body);
    expect(upstream.received.map((r) => r.url)).toEqual(['/api/x?q=1', '/api/x?q=1']);
  });
});
