import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { fakeUpstream, openaiCompletion, type FakeUpstream } from '../support/fake-llm.js';

const TOKEN = 'admin-token-0123456789';
let gateway: Gateway | undefined;
const fakes: FakeUpstream[] = [];
afterEach(async () => {
  await gateway?.close({ graceMs: 500 });
  gateway = undefined;
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

describe('the admin port (SPEC §8.2 for the upstream breakers)', () => {
  it('serves circuits, health, operator actions and /metrics with the upstream series', async () => {
    const primary = await fakeUpstream(() => ({ type: 'json', status: 500, body: {} }));
    const backup = await fakeUpstream(() => ({ type: 'json', body: openaiCompletion('b') }));
    fakes.push(primary, backup);
    gateway = createGateway(
      {
        listen: { port: 0 },
        admin: { port: 0, token: TOKEN },
        upstreams: {
          primary: {
            url: primary.url,
            headers: { authorization: 'Bearer sk-hidden' },
            circuitBreaker: { trip: { kind: 'consecutive', threshold: 1 }, openMs: 60_000 },
          },
          backup: { url: backup.url },
        },
        routes: [
          {
            name: 'chat',
            kind: 'openai',
            match: { path: '/v1/chat/completions' },
            targets: [{ upstream: 'primary' }, { upstream: 'backup' }],
            retry: { maxAttempts: 1 },
          },
        ],
      },
      { env: {}, metrics: (resilience) => prometheusMetrics(resilience) },
    );
    const { url, admin } = await gateway.listen();
    expect(admin).toBeDefined();
    const adminUrl = admin!.url;
    const ask = () =>
      fetch(`${url}/v1/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}' });

    expect((await ask()).headers.get('x-breakwater-upstream')).toBe('backup');
    const circuits = (await (await fetch(`${adminUrl}/circuits`)).json()) as {
      name: string;
      state: string;
    }[];
    expect(circuits.map((c) => [c.name, c.state]).sort()).toEqual([
      ['backup', 'closed'],
      ['primary', 'open'],
    ]);
    const health = (await (await fetch(`${adminUrl}/health`)).json()) as { status: string };
    expect(health.status).toBe('warn');

    // An operator isolates the backup: with both skipped, the gateway answers 503 itself.
    const refused = await fetch(`${adminUrl}/circuits/backup/isolate`, { method: 'POST' });
    expect(refused.status).toBe(401);
    const isolated = await fetch(`${adminUrl}/circuits/backup/isolate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(isolated.status).toBe(200);
    const gatewayOwn = await ask();
    expect(gatewayOwn.status).toBe(503);
    expect(backup.received).toHaveLength(1);

    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    expect(metrics).toContain(
      'breakwater_upstream_requests_total{route="chat",upstream="primary",status="500"} 1',
    );
    expect(metrics).toContain(
      'breakwater_upstream_requests_total{route="chat",upstream="backup",status="200"} 1',
    );
    expect(metrics).toContain('breakwater_gateway_added_latency_seconds_count{route="chat"} 1');
    // The §8.1 series of the upstreams' operations follow, from breakwater/prometheus.
    expect(metrics).toMatch(/breakwater_circuit_state\{operation="primary",state="open"\} 1/);

    const config = await (await fetch(`${adminUrl}/config`)).text();
    expect(config).not.toContain('sk-hidden');
  });

  it('GET /config shows the gateway’s own file, and no secret taken from ${VAR} ever appears', async () => {
    const primary = await fakeUpstream(() => ({ type: 'json', body: openaiCompletion('p') }));
    fakes.push(primary);
    const secrets = {
      OPENAI_API_KEY: 'sk-live-0123456789abcdef',
      ADMIN_TOKEN: 'admin-secret-token-0123456789',
      UPSTREAM_PASSWORD: 'hunter2-upstream-password',
      QUERY_KEY: 'query-key-fedcba9876543210',
      EXTRA_HEADER: 'x-extra-header-secret-value',
    };
    const [host, port] = primary.url.slice('http://'.length).split(':');
    gateway = createGateway(
      {
        listen: { port: 0 },
        admin: { port: 0, token: '${ADMIN_TOKEN}' },
        upstreams: {
          primary: {
            url: primary.url,
            headers: { authorization: 'Bearer ${OPENAI_API_KEY}', 'x-custom': '${EXTRA_HEADER}' },
          },
          keyed: { url: `http://svc:\${UPSTREAM_PASSWORD}@${host}:${port}/base?key=\${QUERY_KEY}` },
        },
        routes: [
          {
            name: 'chat',
            kind: 'openai',
            match: { path: '/v1/chat/completions' },
            targets: [{ upstream: 'primary' }],
          },
        ],
      },
      { env: secrets },
    );
    const { url, admin } = await gateway.listen();
    await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: '{"model":"m","messages":[]}',
    });
    expect(primary.received[0]?.headers.authorization).toBe(`Bearer ${secrets.OPENAI_API_KEY}`);
    const text = await (await fetch(`${admin?.url}/config`)).text();
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    const shown = JSON.parse(text) as {
      gateway: {
        admin: { token: string };
        upstreams: Record<string, { url: string; headers?: Record<string, string> }>;
        routes: { name: string; targets: unknown[] }[];
      };
      resilience: { operations: Record<string, unknown> };
    };
    expect(shown.gateway.routes.map((route) => route.name)).toEqual(['chat']);
    expect(shown.gateway.routes[0]?.targets).toEqual([{ upstream: 'primary' }]);
    expect(shown.gateway.admin.token).toBe('[redacted]');
    expect(shown.gateway.upstreams['primary']).toEqual({
      url: primary.url,
      headers: { authorization: '[redacted]', 'x-custom': '[redacted]' },
    });
    expect(shown.gateway.upstreams['keyed']?.url).toBe(
      `http://[redacted]@${host}:${port}/base?key=[redacted]`,
    );
    expect(Object.keys(shown.resilience.operations).sort()).toEqual(['keyed', 'primary']);
  });
});
