import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry, Counter } from 'prom-client';
import { createResilience, type Resilience } from '../../src/core/index.js';
import { httpHandler } from '../../src/http/index.js';
import { ManualClock } from '../support/clock.js';
import { frameworks, type Mounted } from './frameworks.js';

const TOKEN = 'correct-horse-battery-staple';
const boom = (): Promise<never> => Promise.reject(new Error('down'));

function resilienceWithTwo(): Resilience {
  const resilience = createResilience({
    config: {
      operations: {
        pay: {
          circuitBreaker: { trip: { kind: 'consecutive', threshold: 2 }, openMs: 30_000 },
          retry: false,
        },
        search: { retry: false },
      },
    },
  });
  return resilience;
}

async function trip(resilience: Resilience, operation: string, times = 2): Promise<void> {
  for (let i = 0; i < times; i++) await resilience.execute(operation, boom).catch(() => undefined);
}

describe.each(Object.entries(frameworks))('routes through %s', (_name, mount) => {
  let resilience: Resilience;
  let server: Mounted;
  const post = (path: string, init: { token?: string; body?: string; actor?: string } = {}) =>
    fetch(`${server.base}${path}`, {
      method: 'POST',
      headers: {
        ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
        ...(init.actor === undefined ? {} : { 'x-breakwater-actor': init.actor }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    });

  beforeEach(async () => {
    resilience = resilienceWithTwo();
    await resilience.execute('pay', () => 'ok');
    await resilience.execute('search', () => 'ok');
    const registry = new Registry();
    new Counter({ name: 'test_total', help: 'a counter', registers: [registry] }).inc(3);
    server = await mount(resilience, { token: TOKEN, metrics: { registry }, ready: () => ready });
  });
  afterEach(async () => {
    await server.close();
    vi.useRealTimers();
  });
  let ready = true;

  it('GET /livez answers 200 and /readyz follows ready()', async () => {
    expect((await fetch(`${server.base}/livez`)).status).toBe(200);
    ready = true;
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    ready = false;
    expect((await fetch(`${server.base}/readyz`)).status).toBe(503);
    ready = true;
  });

  it('GET /health goes pass → warn with checks per circuit', async () => {
    let response = await fetch(`${server.base}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/health\+json/);
    let body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'pass',
      healthy: true,
      openCircuitBreakers: [],
      halfOpenCircuitBreakers: [],
      totalCircuitBreakers: 2,
      checks: {
        'circuit:pay': [{ status: 'pass', observedValue: 'closed' }],
        'circuit:search': [{ status: 'pass', observedValue: 'closed' }],
      },
    });
    expect(typeof body.timestamp).toBe('string');
    await trip(resilience, 'pay');
    response = await fetch(`${server.base}/health`);
    expect(response.status).toBe(200);
    body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'warn',
      healthy: false,
      openCircuitBreakers: ['pay'],
      checks: { 'circuit:pay': [{ status: 'warn', observedValue: 'open' }] },
    });
  });

  it('GET /circuits lists every breaker and /circuits/:name one, 404 for an unknown name', async () => {
    await trip(resilience, 'pay');
    const list = (await (await fetch(`${server.base}/circuits`)).json()) as { name: string }[];
    expect(list.map((c) => c.name)).toEqual(['pay', 'search']);
    const response = await fetch(`${server.base}/circuits/pay`);
    expect(response.status).toBe(200);
    const pay = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(pay)).toEqual(
      expect.arrayContaining([
        'name',
        'state',
        'enabled',
        'failureRate',
        'threshold',
        'bufferedCalls',
        'failedCalls',
        'rejectedCalls',
        'consecutiveFailures',
        'lastFailureAt',
        'openedAt',
        'retryAfterMs',
        'opens',
      ]),
    );
    expect(pay).toMatchObject({
      name: 'pay',
      state: 'open',
      enabled: true,
      threshold: 2,
      opens: 1,
    });
    expect(pay.retryAfterMs).toBeGreaterThan(29_000);
    expect(typeof pay.openedAt).toBe('string');
    expect(typeof pay.lastFailureAt).toBe('string');
    expect((await fetch(`${server.base}/circuits/nope`)).status).toBe(404);
  });

  it('admin: 401 without credentials, 403 with wrong ones, 200 with the token', async () => {
    const missing = await post('/circuits/pay/isolate');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post('/circuits/pay/isolate', { token: 'wrong' })).status).toBe(403);
    expect((await post('/circuits/pay/isolate', { token: `${TOKEN}x` })).status).toBe(403);
    expect(resilience.breaker('pay')?.state).toBe('closed');
    const ok = await post('/circuits/pay/isolate', { token: TOKEN, actor: 'alice' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ name: 'pay', command: 'isolate', state: 'isolated' });
    expect(resilience.breaker('pay')?.state).toBe('isolated');
    expect((await post('/circuits/nope/isolate', { token: TOKEN })).status).toBe(404);
    for (const command of ['reset', 'disable', 'enable'] as const) {
      expect((await post(`/circuits/pay/${command}`, { token: TOKEN })).status).toBe(200);
    }
    expect(resilience.breaker('pay')?.state).toBe('closed');
    const trail = resilience.auditTrail();
    expect(trail.map((entry) => entry.command)).toEqual(['isolate', 'reset', 'disable', 'enable']);
    expect(trail[0]).toMatchObject({ source: 'http', actor: 'alice@127.0.0.1' });
    expect(trail[1]?.actor).toBe('admin@127.0.0.1');
  });

  it('ttlMs reverts isolate after that long (fake timers), and a later command cancels it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    const response = await post('/circuits/pay/isolate', { token: TOKEN, body: '{"ttlMs":60000}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('revertsAt');
    vi.advanceTimersByTime(59_000);
    expect(resilience.breaker('pay')?.state).toBe('isolated');
    vi.advanceTimersByTime(1_000);
    expect(resilience.breaker('pay')?.state).toBe('closed');
    expect(resilience.auditTrail().at(-1)).toMatchObject({ command: 'reset', source: 'http-ttl' });
    await post('/circuits/search/disable', { token: TOKEN, body: '{"ttlMs":1000}' });
    await post('/circuits/search/isolate', { token: TOKEN });
    vi.advanceTimersByTime(5_000);
    expect(resilience.breaker('search')?.state).toBe('isolated');
  });

  it('refuses a bad ttlMs (400), a large body (413), wrong methods (405) and unknown routes (404)', async () => {
    expect(
      (await post('/circuits/pay/isolate', { token: TOKEN, body: '{"ttlMs":-1}' })).status,
    ).toBe(400);
    expect((await post('/circuits/pay/reset', { token: TOKEN, body: '{"ttlMs":5}' })).status).toBe(
      400,
    );
    expect((await post('/circuits/pay/isolate', { token: TOKEN, body: 'not json' })).status).toBe(
      400,
    );
    const large = await post('/circuits/pay/isolate', {
      token: TOKEN,
      body: JSON.stringify({ ttlMs: 1000, padding: 'x'.repeat(100_000) }),
    });
    expect(large.status).toBe(413);
    expect(resilience.breaker('pay')?.state).toBe('closed');
    const wrongMethod = await post('/health');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    const getCommand = await fetch(`${server.base}/circuits/pay/isolate`);
    expect(getCommand.status).toBe(405);
    expect(getCommand.headers.get('allow')).toBe('POST');
    expect((await fetch(`${server.base}/nothing-here`)).status).toBe(404);
    expect((await fetch(`${server.base}/circuits/pay/explode`)).status).toBe(404);
  });

  it('GET /metrics serves the registry, /config redacts secrets, / the dashboard', async () => {
    const metrics = await fetch(`${server.base}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toMatch(/^test_total 3$/m);
    resilience.updateConfig({
      operations: { search: { timeout: { ms: 2_000 } } },
      apiKey: 'sk-live-123',
      upstream: 'https://user:hunter2@example.com/v1',
    });
    const config = await (await fetch(`${server.base}/config`)).text();
    expect(config).not.toMatch(/sk-live-123|hunter2/);
    expect(JSON.parse(config)).toMatchObject({
      apiKey: '[redacted]',
      upstream: 'https://[redacted]@example.com/v1',
      operations: { search: { timeout: { ms: 2_000 } } },
    });
    const page = await fetch(`${server.base}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await page.text()).toMatch(/<title>breakwater<\/title>/);
  });
});

describe('options', () => {
  it('health fails with 503 and Retry-After under failOnOpen', async () => {
    const resilience = resilienceWithTwo();
    await resilience.execute('search', () => 'ok');
    const server = await frameworks['node:http']!(resilience, { failOnOpen: true });
    try {
      expect((await fetch(`${server.base}/health`)).status).toBe(200);
      await trip(resilience, 'pay');
      const response = await fetch(`${server.base}/health`);
      expect(response.status).toBe(503);
      const seconds = Number(response.headers.get('retry-after'));
      expect(seconds).toBeGreaterThanOrEqual(29);
      expect(seconds).toBeLessThanOrEqual(30);
      expect(await response.json()).toMatchObject({
        status: 'fail',
        checks: { 'circuit:pay': [{ status: 'fail', observedValue: 'open' }] },
      });
    } finally {
      await server.close();
    }
  });

  it('reads half-open once the open time is over, and Retry-After is then 1 s', async () => {
    const clock = new ManualClock(Date.now());
    const resilience = createResilience({
      clock,
      config: {
        operations: {
          pay: {
            retry: false,
            circuitBreaker: { trip: { kind: 'consecutive', threshold: 1 }, openMs: 10_000 },
          },
        },
      },
    });
    await trip(resilience, 'pay', 1);
    const server = await frameworks['node:http']!(resilience, { failOnOpen: true });
    try {
      expect((await fetch(`${server.base}/health`)).headers.get('retry-after')).toBe('10');
      clock.advance(10_000);
      const response = await fetch(`${server.base}/health`);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await response.json()).toMatchObject({
        halfOpenCircuitBreakers: ['pay'],
        checks: { 'circuit:pay': [{ observedValue: 'half-open' }] },
      });
      const circuit = (await (await fetch(`${server.base}/circuits/pay`)).json()) as object;
      expect(circuit).toMatchObject({ state: 'half-open', retryAfterMs: 0 });
    } finally {
      await server.close();
    }
  });

  it('close() cancels a pending ttlMs revert (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    const resilience = resilienceWithTwo();
    await resilience.execute('pay', () => 'ok');
    const server = await frameworks['node:http']!(resilience, { token: TOKEN });
    const response = await fetch(`${server.base}/circuits/pay/isolate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '{"ttlMs":1000}',
    });
    expect(response.status).toBe(200);
    await server.close();
    vi.advanceTimersByTime(2_000);
    expect(resilience.breaker('pay')?.state).toBe('isolated');
    vi.useRealTimers();
  });

  it('refuses admin without a token, and serves no metrics or dashboard when not asked', async () => {
    const resilience = resilienceWithTwo();
    await resilience.execute('pay', () => 'ok');
    const server = await frameworks['node:http']!(resilience, { dashboard: false });
    try {
      const response = await fetch(`${server.base}/circuits/pay/isolate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: 'admin disabled' });
      expect((await fetch(`${server.base}/metrics`)).status).toBe(404);
      expect((await fetch(`${server.base}/`)).status).toBe(404);
      expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('validates its options, naming the option', () => {
    const resilience = createResilience();
    expect(() => httpHandler(resilience, { token: 'short' })).toThrow(/token/);
    expect(() => httpHandler(resilience, { basePath: '/ops/' })).toThrow(/basePath/);
    expect(() => httpHandler(resilience, { maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => httpHandler(resilience, { failOnOpen: 'yes' as unknown as boolean })).toThrow(
      /failOnOpen/,
    );
    expect(() => httpHandler(resilience, { metrics: {} as never })).toThrow(/metrics/);
    expect(() => httpHandler(resilience, { config: {} as never })).toThrow(/config/);
  });

  it('GET /config shows what config() returns, still redacted', async () => {
    const resilience = resilienceWithTwo();
    const server = await frameworks['node:http']!(resilience, {
      config: () => ({ mine: { apiKey: 'sk-live-456', url: 'https://u:pw-789@example.com' } }),
    });
    try {
      const text = await (await fetch(`${server.base}/config`)).text();
      expect(text).not.toMatch(/sk-live-456|pw-789/);
      expect(JSON.parse(text)).toEqual({
        mine: { apiKey: '[redacted]', url: 'https://[redacted]@example.com' },
      });
    } finally {
      await server.close();
    }
  });
});
