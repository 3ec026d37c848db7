import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/gateway/index.js';
import {
  fakeUpstream,
  openaiCompletion,
  type Behaviour,
  type FakeUpstream,
} from '../support/fake-llm.js';
import { countsOf, startGateway, upstreamsOf, type Running } from './helpers.js';

let running: Running | undefined;
let fakes: Record<string, FakeUpstream> = {};

afterEach(async () => {
  await running?.close();
  running = undefined;
  await Promise.all(Object.values(fakes).map((fake) => fake.close()));
  fakes = {};
});

type Route = GatewayConfig['routes'][number];

async function setUp(
  primary: (n: number) => Behaviour,
  backup: (n: number) => Behaviour,
  route: Partial<Route> = {},
  extra: Partial<GatewayConfig> = {},
  breaker?: { threshold: number; openMs: number },
) {
  fakes = {
    primary: await fakeUpstream((_, n) => primary(n)),
    backup: await fakeUpstream((_, n) => backup(n)),
  };
  running = await startGateway({
    listen: { port: 0 },
    upstreams: upstreamsOf(fakes, breaker),
    routes: [
      {
        name: 'chat',
        kind: 'openai',
        match: { method: 'POST', path: '/v1/chat/completions' },
        targets: [{ upstream: 'primary' }, { upstream: 'backup' }],
        retry: { maxAttempts: 3, backoff: { initialMs: 5, maxMs: 20 } },
        timeout: { perTryMs: 1_000, totalMs: 4_000 },
        ...route,
      },
    ],
    ...extra,
  });
}

async function chat(body: Record<string, unknown> = { model: 'gpt-4o', messages: [] }) {
  const res = await fetch(`${running?.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { res, text: await res.text(), header: (name: string) => res.headers.get(name) };
}

const contentOf = (text: string): string | undefined =>
  (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content;

const ok = (content: string): Behaviour => ({ type: 'json', body: openaiCompletion(content) });
const status = (code: number, body: unknown, headers: Record<string, string> = {}): Behaviour => ({
  type: 'json',
  status: code,
  body,
  headers,
});

describe('retries on the same target honour the upstream’s wait', () => {
  for (const [name, headers] of [
    ['Retry-After (seconds)', { 'retry-after': '0.05' }],
    ['retry-after-ms', { 'retry-after-ms': '40' }],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '40' }],
    ['Retry-After: 0 (clamped to a floor)', { 'retry-after': '0' }],
  ] as const) {
    it(`429 with ${name}: the primary answers on its second try`, async () => {
      await setUp(
        (n) => (n === 1 ? status(429, { error: { message: 'slow down' } }, headers) : ok('second')),
        () => ok('backup'),
      );
      const started = Date.now();
      const { res, text, header } = await chat();
      expect(res.status).toBe(200);
      expect(contentOf(text)).toBe('second');
      expect(header('x-breakwater-upstream')).toBe('primary');
      expect(header('x-breakwater-attempts')).toBe('2');
      expect(countsOf(fakes)).toEqual({ primary: 2, backup: 0 });
      // The wait was honoured (at least the floor of 25 ms), never skipped.
      expect(Date.now() - started).toBeGreaterThanOrEqual(20);
    });
  }

  it('a Retry-After beyond the total budget moves to the next target at once', async () => {
    await setUp(
      () => status(429, { error: { message: 'come back in an hour' } }, { 'retry-after': '3600' }),
      () => ok('backup'),
    );
    const { res, header } = await chat();
    expect(res.status).toBe(200);
    expect(header('x-breakwater-fallback')).toBe('backup');
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 1 });
  });

  for (const code of [500, 503, 529]) {
    it(`${code} is retried on the target, then the next target answers`, async () => {
      await setUp(
        () => status(code, { error: { message: `upstream ${code}` } }),
        () => ok('backup'),
      );
      const { res, text, header } = await chat();
      expect(res.status).toBe(200);
      expect(contentOf(text)).toBe('backup');
      expect(header('x-breakwater-attempts')).toBe('4');
      expect(countsOf(fakes)).toEqual({ primary: 3, backup: 1 });
    });
  }

  it('a reset connection is retried, then fails over', async () => {
    await setUp(
      () => ({ type: 'reset' }),
      () => ok('backup'),
    );
    const { res, header } = await chat();
    expect(res.status).toBe(200);
    expect(header('x-breakwater-upstream')).toBe('backup');
    expect(countsOf(fakes)).toEqual({ primary: 3, backup: 1 });
  });

  it('an upstream that never answers is tried once (per-try timeout), then the next target', async () => {
    await setUp(
      () => ({ type: 'hang' }),
      () => ok('backup'),
      {
        timeout: { perTryMs: 200, totalMs: 4_000 },
      },
    );
    const { res, header } = await chat();
    expect(res.status).toBe(200);
    expect(header('x-breakwater-upstream')).toBe('backup');
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 1 });
  });
});

describe('the LLM kinds read the error body', () => {
  it('400 context_length_exceeded moves to the next target at once', async () => {
    const body = {
      error: {
        message: 'too long',
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      },
    };
    await setUp(
      () => status(400, body),
      () => ok('bigger context'),
    );
    const { res, text, header } = await chat();
    expect(res.status).toBe(200);
    expect(contentOf(text)).toBe('bigger context');
    expect(header('x-breakwater-fallback')).toBe('backup');
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 1 });
  });

  it('400 content_policy_violation goes back to the client at once, as it came', async () => {
    const body = {
      error: {
        message: 'refused',
        type: 'invalid_request_error',
        code: 'content_policy_violation',
      },
    };
    await setUp(
      () => status(400, body, { 'x-request-id': 'req-1' }),
      () => ok('never'),
    );
    const { res, text, header } = await chat();
    expect(res.status).toBe(400);
    expect(text).toBe(JSON.stringify(body));
    expect(header('x-request-id')).toBe('req-1');
    expect(header('x-breakwater-upstream')).toBe('primary');
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 0 });
  });

  it('any other 4xx goes back as it came, not retried, and the breaker does not count it', async () => {
    const body = { error: { message: 'bad key', type: 'invalid_request_error' } };
    await setUp(
      () => status(401, body),
      () => ok('never'),
    );
    for (let i = 0; i < 3; i++) {
      const { res, text } = await chat();
      expect(res.status).toBe(401);
      expect(text).toBe(JSON.stringify(body));
    }
    expect(countsOf(fakes)).toEqual({ primary: 3, backup: 0 });
    expect(running?.gateway.resilience.breaker('primary')?.state).toBe('closed');
  });
});

describe('nothing left to try', () => {
  it('every target answered with an error: the client gets the last upstream’s own status and body', async () => {
    const last = { error: { message: 'backup is sad' } };
    await setUp(
      () => status(500, { error: { message: 'primary' } }),
      () => status(502, last),
      {
        retry: { maxAttempts: 1 },
      },
    );
    const { res, text, header } = await chat();
    expect(res.status).toBe(502);
    expect(text).toBe(JSON.stringify(last));
    expect(header('x-breakwater-upstream')).toBe('backup');
    expect(header('x-breakwater-attempts')).toBe('2');
  });

  it('every breaker open: 503 with Retry-After (the soonest probe) and a JSON error; upstreams not asked', async () => {
    await setUp(
      () => status(500, {}),
      () => status(500, {}),
      { retry: { maxAttempts: 1 } },
      {},
      { threshold: 2, openMs: 60_000 },
    );
    const primary = running?.gateway.resilience.breaker('primary');
    const backup = running?.gateway.resilience.breaker('backup');
    for (let i = 0; i < 2; i++) expect((await chat()).res.status).toBe(500);
    const before = countsOf(fakes);
    expect(primary?.state).toBe('open');
    expect(backup?.state).toBe('open');
    const { res, text, header } = await chat();
    expect(res.status).toBe(503);
    expect(Number(header('retry-after'))).toBeGreaterThanOrEqual(59);
    expect((JSON.parse(text) as { error: { type: string } }).error.type).toBe(
      'upstream_unavailable',
    );
    expect(header('x-breakwater-upstream')).toBe('none');
    expect(countsOf(fakes)).toEqual(before);
  });

  it('a stale answer is served when every target fails (x-breakwater-fallback: cache)', async () => {
    let primaryUp = true;
    await setUp(
      () => (primaryUp ? ok('fresh') : status(500, {})),
      () => status(500, {}),
      { staleCache: { ttlMs: 60_000 }, retry: { maxAttempts: 1 } },
    );
    const first = await chat();
    expect(first.res.status).toBe(200);
    primaryUp = false;
    const { res, text, header } = await chat();
    expect(res.status).toBe(200);
    expect(text).toBe(first.text);
    expect(header('x-breakwater-fallback')).toBe('cache');
  });

  it('no matching route: 404 with a JSON error', async () => {
    await setUp(
      () => ok('x'),
      () => ok('y'),
    );
    const res = await fetch(`${running?.url}/nowhere`);
    expect(res.status).toBe(404);
    expect((await res.json()) as unknown).toEqual({
      error: { type: 'no_route', message: 'no route matches GET /nowhere' },
    });
  });

  it('a body above the limit: 413, the upstream never asked', async () => {
    await setUp(
      () => ok('x'),
      () => ok('y'),
      {},
      { limits: { bodyBytes: 1_000 } },
    );
    const { res } = await chat({ model: 'gpt-4o', messages: [{ content: 'x'.repeat(2_000) }] });
    expect(res.status).toBe(413);
    expect(countsOf(fakes)).toEqual({ primary: 0, backup: 0 });
  });

  it.each([
    ['not JSON', '{"model": "gpt-4o", "messages": ['],
    ['an array', '[1, 2]'],
    ['a string', '"hi"'],
  ])('a body that is %s on an openai route: 400, the upstream never asked', async (_, body) => {
    await setUp(
      () => ok('x'),
      () => ok('y'),
    );
    const res = await fetch(`${running?.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect((await res.json()) as unknown).toEqual({
      error: { type: 'invalid_request_error', message: 'the request body is not a JSON object' },
    });
    expect(countsOf(fakes)).toEqual({ primary: 0, backup: 0 });
  });
});
