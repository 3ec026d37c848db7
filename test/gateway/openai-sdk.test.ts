import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fakeUpstream,
  openaiCompletion,
  openaiEvents,
  tokens,
  type Behaviour,
  type FakeUpstream,
} from '../support/fake-llm.js';
import { countsOf, startGateway, upstreamsOf, type Running } from './helpers.js';

let running: Running | undefined;
const fakes: FakeUpstream[] = [];

afterEach(async () => {
  await running?.close();
  running = undefined;
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function setUp(
  primary: (n: number) => Behaviour,
  backup: (n: number) => Behaviour,
  extra: Record<string, unknown> = {},
) {
  const upstreams = {
    primary: await fakeUpstream((_, n) => primary(n)),
    backup: await fakeUpstream((_, n) => backup(n)),
  };
  fakes.push(upstreams.primary, upstreams.backup);
  running = await startGateway({
    listen: { port: 0 },
    upstreams: upstreamsOf(upstreams),
    routes: [
      {
        name: 'chat',
        kind: 'openai',
        match: { method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o*' },
        targets: [
          { upstream: 'primary', model: 'gpt-4o' },
          { upstream: 'backup', model: 'llama-3-70b' },
        ],
        retry: { maxAttempts: 2, backoff: { initialMs: 5, maxMs: 50 } },
        timeout: { perTryMs: 2_000, totalMs: 5_000 },
        ...extra,
      },
    ],
  });
  const client = new OpenAI({
    apiKey: 'client-key',
    baseURL: `${running.url}/v1`,
    maxRetries: 0,
  });
  return { client, upstreams };
}

describe('the official openai SDK through the gateway', () => {
  it('gets a chat completion from the primary, with the upstream key and model', async () => {
    const { client, upstreams } = await setUp(
      () => ({ type: 'json', body: openaiCompletion('hello', 'gpt-4o') }),
      () => ({ type: 'json', body: openaiCompletion('from backup', 'llama-3-70b') }),
    );
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('hello');
    expect(response.headers.get('x-breakwater-upstream')).toBe('primary');
    expect(response.headers.get('x-breakwater-attempts')).toBe('1');
    expect(response.headers.get('x-breakwater-fallback')).toBeNull();
    const seen = upstreams.primary.received[0];
    expect(seen?.headers.authorization).toBe('Bearer key-of-primary');
    expect(seen?.json?.['model']).toBe('gpt-4o');
    expect(countsOf(upstreams)).toEqual({ primary: 1, backup: 0 });
  });

  it('fails over to the backup after the primary 500s twice, and the answer is the backup’s', async () => {
    const { client, upstreams } = await setUp(
      () => ({ type: 'json', status: 500, body: { error: { message: 'boom' } } }),
      () => ({ type: 'json', body: openaiCompletion('from backup', 'llama-3-70b') }),
    );
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from backup');
    expect(data.model).toBe('llama-3-70b');
    expect(response.headers.get('x-breakwater-upstream')).toBe('backup');
    expect(response.headers.get('x-breakwater-fallback')).toBe('backup');
    expect(response.headers.get('x-breakwater-attempts')).toBe('3');
    expect(upstreams.backup.received[0]?.json?.['model']).toBe('llama-3-70b');
    expect(countsOf(upstreams)).toEqual({ primary: 2, backup: 1 });
  });

  it('streams a chat completion whole, [DONE] included, through the SDK', async () => {
    const { client, upstreams } = await setUp(
      () => ({ type: 'stream', events: openaiEvents(tokens(10)) }),
      () => ({ type: 'stream', events: openaiEvents(['x']) }),
    );
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(tokens(10).join(''));
    expect(finish).toBe('stop');
    expect(countsOf(upstreams)).toEqual({ primary: 1, backup: 0 });
  });

  it('a stream cut after its first chunk reaches the SDK as an error, never as a complete answer', async () => {
    const { client } = await setUp(
      () => ({
        type: 'stream',
        events: openaiEvents(tokens(10)),
        after: { events: 4, then: 'cut' },
      }),
      () => ({ type: 'stream', events: openaiEvents(['x']) }),
    );
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    const consume = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(consume()).rejects.toThrow(/upstream stream was interrupted/);
    expect(text).toBe(tokens(3).join(''));
  });
});
