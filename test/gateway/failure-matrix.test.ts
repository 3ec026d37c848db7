import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicMessage,
  fakeUpstream,
  openaiCompletion,
  type Behaviour,
  type FakeUpstream,
} from '../support/fake-llm.js';
import { startGateway, upstreamsOf, type Running } from './helpers.js';

/**
 * Every failure of a plain (not streamed) answer, for both LLM kinds, through one gateway:
 * for each, the tries each upstream got, the headers, the exact bytes the client received,
 * and the wait the upstream asked for.
 */

interface Case {
  readonly name: string;
  /** What the primary does on its first try (later tries answer well unless `always`). */
  readonly primary: Behaviour;
  readonly always?: boolean;
  /** The tries each upstream gets, and who answers. */
  readonly tries: { readonly primary: number; readonly backup: number };
  readonly answeredBy: 'primary' | 'backup';
  /** The client gets the primary's error as it came. */
  readonly passesError?: boolean;
  /** The wait the upstream asked for, honoured before its second try. */
  readonly waitsMs?: number;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Behaviour => ({
  type: 'json',
  status,
  body,
  headers,
});

const openaiError = (message: string, code?: string) => ({
  error: { message, type: 'invalid_request_error', ...(code === undefined ? {} : { code }) },
});
const anthropicError = (type: string, message: string) => ({
  type: 'error',
  error: { type, message },
});

const transient = (kind: 'openai' | 'anthropic'): Case[] => {
  const busy =
    kind === 'openai' ? openaiError('slow down') : anthropicError('rate_limit_error', 'slow down');
  return [
    ...(
      [
        ['Retry-After in seconds', { 'retry-after': '0.06' }, 60],
        ['retry-after-ms', { 'retry-after-ms': '60' }, 60],
        ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '60' }, 60],
        ['Retry-After: 0, clamped to the 25 ms floor', { 'retry-after': '0' }, 25],
      ] as const
    ).map(([name, headers, waitsMs]): Case => ({
      name: `429 with ${name}`,
      primary: json(429, busy, headers),
      tries: { primary: 2, backup: 0 },
      answeredBy: 'primary',
      waitsMs,
    })),
    ...[500, 503, 529].map((status): Case => ({
      name: `${status}`,
      primary: json(
        status,
        kind === 'openai' ? openaiError('sad') : anthropicError('overloaded_error', 'Overloaded'),
      ),
      always: true,
      tries: { primary: 2, backup: 1 },
      answeredBy: 'backup',
    })),
    {
      name: 'a reset connection',
      primary: { type: 'reset' },
      always: true,
      tries: { primary: 2, backup: 1 },
      answeredBy: 'backup',
    },
    {
      name: 'no answer at all (per-try timeout: not retried on the same target)',
      primary: { type: 'hang' },
      always: true,
      tries: { primary: 1, backup: 1 },
      answeredBy: 'backup',
    },
  ];
};

const CASES: Record<'openai' | 'anthropic', Case[]> = {
  openai: [
    ...transient('openai'),
    {
      name: '400 context_length_exceeded (next target at once)',
      primary: json(400, openaiError('too long', 'context_length_exceeded')),
      always: true,
      tries: { primary: 1, backup: 1 },
      answeredBy: 'backup',
    },
    {
      name: '400 content_policy_violation (back to the client at once)',
      primary: json(400, openaiError('refused', 'content_policy_violation'), {
        'x-request-id': 'r-1',
      }),
      always: true,
      tries: { primary: 1, backup: 0 },
      answeredBy: 'primary',
      passesError: true,
    },
  ],
  anthropic: [
    ...transient('anthropic'),
    {
      name: '400 prompt is too long (next target at once)',
      primary: json(
        400,
        anthropicError(
          'invalid_request_error',
          'prompt is too long: 250000 tokens > 200000 maximum',
        ),
      ),
      always: true,
      tries: { primary: 1, backup: 1 },
      answeredBy: 'backup',
    },
    {
      name: '401 authentication_error (a 4xx goes back as it came)',
      primary: json(401, anthropicError('authentication_error', 'invalid x-api-key')),
      always: true,
      tries: { primary: 1, backup: 0 },
      answeredBy: 'primary',
      passesError: true,
    },
  ],
};

const good = {
  openai: {
    primary: openaiCompletion('from primary', 'gpt-4o'),
    backup: openaiCompletion('from backup', 'llama-3-70b'),
  },
  anthropic: {
    primary: anthropicMessage('from primary', 'claude-3-5-sonnet'),
    backup: anthropicMessage('from backup', 'claude-3-haiku'),
  },
};

/** Which case the next request plays: set before each request, read by the fakes. */
let current: { kind: 'openai' | 'anthropic'; test: Case } | undefined;
let primaryTries = 0;
let running: Running;
let primary: FakeUpstream;
let backup: FakeUpstream;

beforeAll(async () => {
  primary = await fakeUpstream(() => {
    primaryTries++;
    const { kind, test } = current!;
    if (primaryTries === 1 || test.always === true) return test.primary;
    return { type: 'json', body: good[kind].primary };
  });
  backup = await fakeUpstream(() => ({ type: 'json', body: good[current!.kind].backup }));
  const route = (kind: 'openai' | 'anthropic', path: string, backupModel: string) => ({
    name: kind,
    kind,
    match: { method: 'POST', path },
    targets: [{ upstream: 'primary' }, { upstream: 'backup', model: backupModel }],
    retry: { maxAttempts: 2, backoff: { initialMs: 5, maxMs: 10 } },
    timeout: { perTryMs: 300, totalMs: 5_000 },
  });
  running = await startGateway({
    listen: { port: 0 },
    upstreams: upstreamsOf({ primary, backup }, { threshold: 1_000, openMs: 60_000 }),
    routes: [
      route('openai', '/v1/chat/completions', 'llama-3-70b'),
      route('anthropic', '/v1/messages', 'claude-3-haiku'),
    ],
  });
});

afterAll(async () => {
  await running.close();
  await primary.close();
  await backup.close();
});

for (const kind of ['openai', 'anthropic'] as const) {
  describe(`${kind}: each failure of the primary`, () => {
    for (const test of CASES[kind]) {
      it(test.name, async () => {
        current = { kind, test };
        primaryTries = 0;
        const before = { primary: primary.received.length, backup: backup.received.length };
        const path = kind === 'openai' ? '/v1/chat/completions' : '/v1/messages';
        const model = kind === 'openai' ? 'gpt-4o' : 'claude-3-5-sonnet';
        const sent = JSON.stringify({
          model,
          max_tokens: 16,
          messages: [{ role: 'user', content: 'hi' }],
        });
        const started = Date.now();
        const res = await fetch(`${running.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer client-own' },
          body: sent,
        });
        const text = await res.text();
        const elapsed = Date.now() - started;

        const tries = {
          primary: primary.received.length - before.primary,
          backup: backup.received.length - before.backup,
        };
        expect(tries).toEqual(test.tries);
        const attempts = test.tries.primary + test.tries.backup;
        expect(res.headers.get('x-breakwater-upstream')).toBe(test.answeredBy);
        expect(res.headers.get('x-breakwater-attempts')).toBe(String(attempts));
        expect(res.headers.get('x-breakwater-fallback')).toBe(
          test.answeredBy === 'backup' ? 'backup' : null,
        );
        if (test.passesError === true) {
          const asIs = test.primary as Extract<Behaviour, { type: 'json' }>;
          expect(res.status).toBe(asIs.status);
          expect(text).toBe(JSON.stringify(asIs.body));
          for (const [name, value] of Object.entries(asIs.headers ?? {})) {
            expect(res.headers.get(name)).toBe(value);
          }
        } else {
          // The serving upstream's own answer, byte for byte: its model and usage.
          expect(res.status).toBe(200);
          expect(text).toBe(JSON.stringify(good[kind][test.answeredBy]));
          expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
        }
        if (test.waitsMs !== undefined) expect(elapsed).toBeGreaterThanOrEqual(test.waitsMs - 5);

        // Each upstream got the client's body with its own key; the backup its model.
        for (const request of primary.received.slice(before.primary)) {
          expect(request.body).toBe(sent);
          expect(request.headers.authorization).toBe('Bearer key-of-primary');
        }
        for (const request of backup.received.slice(before.backup)) {
          expect(request.json?.['model']).toBe(good[kind].backup['model']);
          expect(request.json?.['messages']).toEqual([{ role: 'user', content: 'hi' }]);
          expect(request.headers.authorization).toBe('Bearer key-of-backup');
        }
      });
    }
  });
}
