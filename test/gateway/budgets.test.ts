import { afterEach, describe, expect, it } from 'vitest';
import { validateGatewayConfig, type GatewayConfig } from '../../src/gateway/index.js';
import {
  anthropicEvents,
  fakeUpstream,
  openaiCompletion,
  openaiEvents,
  tokens,
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

/** Breakers that stay closed, so what is measured is the retry budget alone. */
const CLOSED = { threshold: 1_000, openMs: 60_000 };

function configOf(route: Partial<Route>): GatewayConfig {
  return {
    listen: { port: 0 },
    admin: { port: 0 },
    upstreams: upstreamsOf(fakes, CLOSED),
    routes: [
      {
        name: 'chat',
        kind: 'openai',
        match: { method: 'POST', path: '/v1/chat/completions' },
        targets: Object.keys(fakes).map((upstream) => ({ upstream })),
        retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 5 } },
        timeout: { perTryMs: 1_000, totalMs: 5_000 },
        ...route,
      },
      {
        name: 'messages',
        kind: 'anthropic',
        match: { method: 'POST', path: '/v1/messages' },
        targets: Object.keys(fakes).map((upstream) => ({ upstream })),
        retry: { maxAttempts: 1 },
        timeout: { perTryMs: 1_000, totalMs: 5_000 },
        ...route,
      },
    ],
  };
}

async function setUp(behaviours: Record<string, (n: number) => Behaviour>, route: Partial<Route>) {
  fakes = {};
  for (const [name, behaviour] of Object.entries(behaviours)) {
    fakes[name] = await fakeUpstream((_, n) => behaviour(n));
  }
  running = await startGateway(configOf(route));
}

async function post(path: string, body: Record<string, unknown>) {
  const res = await fetch(`${running?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { res, text: await res.text(), header: (name: string) => res.headers.get(name) };
}

const chat = (stream = false) =>
  post('/v1/chat/completions', { model: 'gpt-4o', stream, messages: [] });

const failing: Behaviour = { type: 'json', status: 500, body: { error: { message: 'down' } } };
const ok: Behaviour = { type: 'json', body: openaiCompletion('backup') };

describe('retry budget (retry.budget, SPEC §2 names): a failing upstream is not asked maxAttempts times per request', () => {
  it('retries on the same target stay within ratio × requests; the rest fail over at once', async () => {
    await setUp(
      { primary: () => failing, backup: () => ok },
      {
        retry: {
          maxAttempts: 3,
          backoff: { initialMs: 1, maxMs: 5 },
          budget: { ratio: 0.2, minRetriesPerSecond: 0, windowMs: 60_000 },
        },
      },
    );
    const denied: unknown[] = [];
    running?.gateway.on('retryDenied', (event) => denied.push(event));
    const attempts: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { res, header } = await chat();
      expect(res.status).toBe(200);
      expect(header('x-breakwater-upstream')).toBe('backup');
      attempts.push(header('x-breakwater-attempts') ?? '');
    }
    // 20 % of 10 requests: two retries in all (the 5th and the 10th request earn one each),
    // where without a budget the primary would have had 30 tries.
    expect(countsOf(fakes)).toEqual({ primary: 12, backup: 10 });
    expect(attempts).toEqual(['2', '2', '2', '2', '3', '2', '2', '2', '2', '3']);
    expect(denied).toHaveLength(10);
    expect(denied[0]).toEqual({ route: 'chat', upstream: 'primary' });

    // A reload with the same settings keeps the budget's window: still no retry to spare.
    running?.gateway.reload(
      configOf({
        retry: {
          maxAttempts: 3,
          backoff: { initialMs: 1, maxMs: 5 },
          budget: { ratio: 0.2, minRetriesPerSecond: 0, windowMs: 60_000 },
        },
      }),
    );
    await chat();
    expect(countsOf(fakes)).toEqual({ primary: 13, backup: 11 });

    const metrics = await (await fetch(`${running?.adminUrl}/metrics`)).text();
    expect(metrics).toContain(
      'breakwater_gateway_retries_denied_total{route="chat",upstream="primary"} 11',
    );
  });

  it('under 100 concurrent requests a dead primary gets at most 1.2 tries per request, not 3', async () => {
    await setUp(
      { primary: () => failing, backup: () => ok },
      {
        retry: {
          maxAttempts: 3,
          backoff: { initialMs: 1, maxMs: 5 },
          budget: { ratio: 0.2, minRetriesPerSecond: 0, windowMs: 60_000 },
        },
      },
    );
    const answers = await Promise.all(Array.from({ length: 100 }, () => chat()));
    expect(answers.map((answer) => answer.res.status)).toEqual(Array(100).fill(200));
    const tries = countsOf(fakes);
    expect(tries['backup']).toBe(100);
    expect(tries['primary']).toBeGreaterThanOrEqual(100);
    expect(tries['primary']).toBeLessThanOrEqual(120);
  });

  it('the floor per second lets a quiet route retry in full', async () => {
    await setUp(
      { primary: (n) => (n < 3 ? failing : { type: 'json', body: openaiCompletion('third') }) },
      { retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 5 }, budget: { ratio: 0.2 } } },
    );
    const { res, text, header } = await chat();
    expect(res.status).toBe(200);
    expect(text).toBe(JSON.stringify(openaiCompletion('third')));
    expect(header('x-breakwater-attempts')).toBe('3');
    expect(countsOf(fakes)).toEqual({ primary: 3 });
  });

  it('is checked by the config validation', () => {
    const result = validateGatewayConfig({
      listen: { port: 0 },
      upstreams: { a: { url: 'http://127.0.0.1:1' } },
      routes: [
        {
          name: 'r',
          match: { path: '/' },
          targets: [{ upstream: 'a' }],
          retry: { budget: { ratio: 2, windowMs: 0, perSecond: 1 } },
        },
      ],
    });
    expect(result.ok).toBe(false);
    const paths = result.problems.map((problem) => problem.path).sort();
    expect(paths).toEqual([
      'routes.0.retry.budget.perSecond',
      'routes.0.retry.budget.ratio',
      'routes.0.retry.budget.windowMs',
    ]);
  });
});

const TOTAL_ERROR =
  /the upstream stream was interrupted: the route's total budget \(timeout\.totalMs\) ran out \d+ ms into the upstream try/;

/** The events of an SSE text, each with its blank line. */
const eventsOf = (text: string): string[] =>
  text
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => `${event}\n\n`);

describe('the total budget (timeout.totalMs) bounds a stream after its first byte too', () => {
  const slowDrip = (events: readonly string[]): Behaviour => ({
    type: 'stream',
    events,
    delayMs: 60,
  });

  it('openai: a stream still going at totalMs ends with an in-band error, never a clean end', async () => {
    const events = openaiEvents(tokens(40));
    await setUp(
      { primary: () => slowDrip(events), backup: () => slowDrip(openaiEvents(['never'])) },
      {
        retry: { maxAttempts: 1 },
        timeout: { perTryMs: 600, totalMs: 700 },
        stream: { firstChunkMs: 500, idleMs: 500, resume: 'prefill' },
      },
    );
    const { res, text, header } = await chat(true);
    expect(res.status).toBe(200);
    expect(header('x-breakwater-upstream')).toBe('primary');
    const got = eventsOf(text);
    const last = got.at(-1) ?? '';
    const relayed = got.slice(0, -1);
    // What came before the error is the upstream's own events, in order, byte for byte.
    expect(relayed).toEqual(events.slice(0, relayed.length));
    expect(relayed.length).toBeGreaterThan(2);
    expect(relayed.length).toBeLessThan(events.length - 2);
    expect(last).toMatch(/^data: \{"error":\{"message":"/);
    expect(JSON.parse(last.slice(6)) as unknown).toEqual({
      error: {
        message: expect.stringMatching(TOTAL_ERROR) as unknown,
        type: 'stream_interrupted',
        code: 'upstream_stream_interrupted',
      },
    });
    expect(text).not.toContain('[DONE]');
    // No time is left for a continuation: the backup is not asked, even with resume: prefill.
    expect(countsOf(fakes)).toEqual({ primary: 1, backup: 0 });
    await expect.poll(() => fakes['primary']?.cancelled(), { timeout: 5_000 }).toBe(1);
  });

  it('anthropic: the same, as event: error', async () => {
    const events = anthropicEvents(tokens(40));
    await setUp(
      { primary: () => slowDrip(events) },
      {
        retry: { maxAttempts: 1 },
        timeout: { perTryMs: 600, totalMs: 700 },
        stream: { firstChunkMs: 500, idleMs: 500 },
      },
    );
    const { text } = await post('/v1/messages', {
      model: 'claude-3-5-sonnet',
      stream: true,
      max_tokens: 10,
      messages: [],
    });
    const got = eventsOf(text);
    const last = got.at(-1) ?? '';
    expect(got.slice(0, -1)).toEqual(events.slice(0, got.length - 1));
    expect(last.startsWith('event: error\ndata: ')).toBe(true);
    expect(last).toMatch(TOTAL_ERROR);
    expect(text).not.toContain('message_stop');
  });

  it('a retry that outlasts what is left of totalMs is cut at totalMs; the next target is not tried', async () => {
    await setUp(
      {
        primary: (n) =>
          n === 1
            ? { ...failing, delayMs: 200 }
            : { type: 'json', body: openaiCompletion('late'), delayMs: 2_000 },
        backup: () => ok,
      },
      { timeout: { perTryMs: 400, totalMs: 500 } },
    );
    const { res, text, header } = await chat();
    // Every try answered with an error or ran out: the client gets the last upstream error.
    expect(res.status).toBe(500);
    expect(text).toBe(JSON.stringify({ error: { message: 'down' } }));
    expect(header('x-breakwater-upstream')).toBe('primary');
    expect(header('x-breakwater-attempts')).toBe('2');
    // The second try was cancelled at totalMs, long before its 2 s answer.
    await expect.poll(() => fakes['primary']?.cancelled(), { timeout: 5_000 }).toBe(1);
    expect(countsOf(fakes)).toEqual({ primary: 2, backup: 0 });
  });

  it('a stream that finishes within totalMs is untouched', async () => {
    const events = openaiEvents(tokens(5));
    await setUp(
      { primary: () => ({ type: 'stream', events, delayMs: 20 }) },
      { timeout: { perTryMs: 1_000, totalMs: 3_000 } },
    );
    const { text } = await chat(true);
    expect(text).toBe(events.join(''));
  });
});
