import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { fakeUpstream, openaiCompletion, type FakeUpstream } from '../support/fake-llm.js';

let gateway: Gateway | undefined;
const fakes: FakeUpstream[] = [];
afterEach(async () => {
  await gateway?.close({ graceMs: 1_000 });
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

describe('the gateway’s logger (SPEC §8.1)', () => {
  it('gets the upstream breakers’ records too: the transition to open at warn, with no key in any record', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logger = pino({ level: 'debug', base: null, timestamp: false }, stream);
    const primary = await fakeUpstream(() => ({
      type: 'json',
      status: 503,
      body: { error: { message: 'down' } },
    }));
    const backup = await fakeUpstream(() => ({ type: 'json', body: openaiCompletion('backup') }));
    fakes.push(primary, backup);
    gateway = createGateway(
      {
        listen: { port: 0 },
        upstreams: {
          primary: {
            url: primary.url,
            headers: { authorization: 'Bearer sk-primary-key-SECRET-0123456789' },
            circuitBreaker: { trip: { kind: 'consecutive', threshold: 2 }, openMs: 60_000 },
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
      { env: {}, logger },
    );
    const { url } = await gateway.listen();
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
      });
      expect(response.status).toBe(200);
      await response.text();
    }
    const records = lines.map(
      (line) => JSON.parse(line) as { level: number; event?: string; operation?: string },
    );
    const opened = records.find(
      (record) =>
        record.event === 'transition' &&
        record.operation === 'primary' &&
        (record as { to?: string }).to === 'open',
    );
    expect(opened?.level).toBe(40);
    expect(lines.join('\n')).not.toContain('SECRET');
  });
});
