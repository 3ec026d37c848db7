import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeUpstream, openaiCompletion, type FakeUpstream } from '../support/fake-llm.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { startServe, type ServeProcess } from './serve-process.js';

let redis: RedisServer;
let dir: string;
let primary: FakeUpstream;
let backup: FakeUpstream;
const processes: ServeProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'bw-gw-redis-'));
  primary = await fakeUpstream(() => ({
    type: 'json',
    status: 503,
    body: { error: { message: 'down' } },
  }));
  backup = await fakeUpstream(() => ({ type: 'json', body: openaiCompletion('backup') }));
});

afterAll(async () => {
  for (const child of processes) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  }
  await primary.close();
  await backup.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(): string {
  return JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    store: { redis: { url: '${REDIS_URL}', prefix: 'gw-test:' } },
    upstreams: {
      primary: {
        url: primary.url,
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
  });
}

async function ask(gateway: ServeProcess) {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
  });
  await res.text();
  return res;
}

const spawnGateway = async (file: string): Promise<ServeProcess> => {
  const child = await startServe(file, { REDIS_URL: redis.url });
  processes.push(child);
  return child;
};

describe('two breakwater serve processes sharing one redis-server', () => {
  it('a trip through one is honoured by the other, and survives a SIGKILL and restart', async () => {
    const file = join(dir, 'gateway.json');
    writeFileSync(file, config());
    const a = await spawnGateway(file);
    const b = await spawnGateway(file);

    // Two failures through A open the primary's shared breaker.
    for (let i = 0; i < 2; i++)
      expect((await ask(a)).headers.get('x-breakwater-upstream')).toBe('backup');
    expect(primary.received).toHaveLength(2);

    // B never asks the primary: it learnt of the trip through Redis.
    await waitFor(
      async () => {
        const before = primary.received.length;
        const res = await ask(b);
        return (
          res.headers.get('x-breakwater-upstream') === 'backup' &&
          primary.received.length === before
        );
      },
      10_000,
      'B to honour the trip',
    );
    const seenByPrimary = primary.received.length;
    for (let i = 0; i < 5; i++) await ask(b);
    expect(primary.received).toHaveLength(seenByPrimary);

    // SIGKILL B under load (no clean shutdown) and start it again: the state comes back from Redis.
    const load = Promise.allSettled(Array.from({ length: 20 }, () => ask(b)));
    b.process.kill('SIGKILL');
    await load;
    await b.exited;
    const again = await spawnGateway(file);
    for (let i = 0; i < 5; i++) {
      const res = await ask(again);
      expect(res.headers.get('x-breakwater-upstream')).toBe('backup');
    }
    expect(primary.received).toHaveLength(seenByPrimary);
  });
});
