import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runFixture, type Child } from '../support/child.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { uniquePrefix } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/replica.ts', import.meta.url));
let server: RedisServer;
let children: Child[] = [];

beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  for (const child of children) if (child.process.exitCode === null) child.kill('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
  children = [];
});
afterAll(async () => {
  await server.stop();
});

interface FleetOptions {
  flushMs: number;
  probeTtlMs: number;
  openMs: number;
  maxCalls: number;
}

async function processes(count: number, options: FleetOptions): Promise<Child[]> {
  const prefix = uniquePrefix();
  const args = [
    server.url,
    prefix,
    String(options.flushMs),
    String(options.probeTtlMs),
    String(options.openMs),
    String(options.maxCalls),
  ];
  const started = Array.from({ length: count }, () => runFixture(fixture, args));
  children.push(...started);
  await Promise.all(started.map((child) => child.expect((m) => m.event === 'ready', 30_000)));
  return started;
}

const opened = (child: Child) => (m: Record<string, unknown>) =>
  m.event === 'state' && m.to === 'open' && child.messages.includes(m);

describe('redisStore: three replicas in three processes', () => {
  it('a trip on one process is seen by the others over pub/sub, and every process exits by itself after close()', async () => {
    const flushMs = 100;
    const [a, b, c] = (await processes(3, {
      flushMs,
      probeTtlMs: 5_000,
      openMs: 60_000,
      maxCalls: 1,
    })) as [Child, Child, Child];
    a.send({ cmd: 'fail', n: 3 });
    const trip = await a.expect(opened(a));
    expect(trip.remote).toBe(false);
    for (const other of [b, c]) {
      const seen = await other.expect(opened(other));
      expect(seen.remote).toBe(true);
    }
    for (const child of [a, b, c]) child.send({ cmd: 'exit' });
    expect(await Promise.all([a, b, c].map((child) => child.exited))).toEqual([0, 0, 0]);
  });

  it('3 processes × 50 concurrent callers in half-open: exactly maxCalls probes fleet-wide, then the fleet closes', async () => {
    const maxCalls = 2;
    const fleet = await processes(3, { flushMs: 50, probeTtlMs: 10_000, openMs: 400, maxCalls });
    const [a] = fleet as [Child];
    a.send({ cmd: 'fail', n: 3 });
    const failed = await a.expect((m) => m.event === 'failed');
    await Promise.all(fleet.map((child) => child.expect(opened(child))));
    await waitFor(() => Date.now() > (failed.openUntil as number) + 20, 5_000, 'open time over');

    for (const child of fleet) child.send({ cmd: 'burst', n: 50 });
    const settled = await Promise.all(
      fleet.map((child) => child.expect((m) => m.event === 'settled')),
    );
    const probing = settled.reduce((sum, s) => sum + (s.probing as number), 0);
    expect(probing).toBe(maxCalls);
    expect(settled.reduce((sum, s) => sum + (s.rejected as number), 0)).toBe(150 - maxCalls);

    for (const child of fleet) child.send({ cmd: 'release' });
    await Promise.all(
      fleet.map((child) => child.expect((m) => m.event === 'state' && m.to === 'closed')),
    );
  });

  it('a process killed mid-probe does not wedge the breaker: its claim expires and another replica probes', async () => {
    const probeTtlMs = 600;
    const fleet = await processes(3, { flushMs: 50, probeTtlMs, openMs: 300, maxCalls: 1 });
    const [victim, b, c] = fleet as [Child, Child, Child];
    victim.send({ cmd: 'fail', n: 3 });
    const failed = await victim.expect((m) => m.event === 'failed');
    await Promise.all(fleet.map((child) => child.expect(opened(child))));
    await waitFor(() => Date.now() > (failed.openUntil as number) + 20, 5_000, 'open time over');

    victim.send({ cmd: 'burst', n: 1 });
    const probing = await victim.expect((m) => m.event === 'probing');
    victim.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');

    let answered: Record<string, unknown> | undefined;
    await waitFor(
      async () => {
        const before = b.messages.length;
        b.send({ cmd: 'call' });
        const reply = await b.expect((m) => m.event === 'call' && b.messages.indexOf(m) >= before);
        answered = reply;
        return reply.result === 'ok';
      },
      15_000,
      'a surviving replica to probe',
    );
    expect(answered).toMatchObject({ result: 'ok', state: 'closed' });
    // The dead replica's claim held the only slot until it expired.
    expect((answered!.at as number) - (probing.at as number)).toBeGreaterThanOrEqual(
      probeTtlMs - 20,
    );
    await c.expect((m) => m.event === 'state' && m.to === 'closed');
  });
});
