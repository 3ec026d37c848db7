import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { exited, freePort, untilAnswers } from './redis-server.js';
import { waitFor } from './wait-for.js';

/** A primary, one replica and one Sentinel watching them, on 127.0.0.1 and ephemeral ports. */
export interface SentinelSetup {
  /** The name Sentinel knows the primary by. */
  readonly name: string;
  readonly sentinels: { host: string; port: number }[];
  /** The port of the current primary, as Sentinel reports it. */
  primaryPort(): Promise<number>;
  /** SIGKILLs the current primary; resolves once Sentinel has promoted the replica. */
  killPrimary(): Promise<{ old: number; promoted: number }>;
  stop(): Promise<void>;
}

function server(dir: string, port: number, extra: string[] = []): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extra,
    ],
    { stdio: 'ignore' },
  );
}

/**
 * `downAfterMs`: how long Sentinel waits before it calls a silent primary down, so also the
 * shortest time a killed primary stays unpromoted (what a test does in that window).
 */
export async function startSentinel(downAfterMs = 1_000): Promise<SentinelSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'breakwater-sentinel-'));
  const name = 'breakwater';
  const [primary, replica, sentinelPort] = [await freePort(), await freePort(), await freePort()];
  const children = new Map<number, ChildProcess>();
  children.set(primary, server(dir, primary));
  await untilAnswers(primary, children.get(primary)!);
  children.set(replica, server(dir, replica, ['--replicaof', '127.0.0.1', String(primary)]));
  await untilAnswers(replica, children.get(replica)!);
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primary} 1`,
      `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n'),
  );
  const sentinel = spawn('redis-sentinel', [config], { stdio: 'ignore' });
  await untilAnswers(sentinelPort, sentinel);
  const admin = new Redis({ port: sentinelPort, host: '127.0.0.1' });
  const primaryPort = async (): Promise<number> => {
    const reply = (await admin.call('SENTINEL', 'get-master-addr-by-name', name)) as [
      string,
      string,
    ];
    return Number(reply[1]);
  };
  // The replica has synced and Sentinel knows it: a failover can happen.
  const replicaAdmin = new Redis({ port: replica, host: '127.0.0.1' });
  await waitFor(
    async () => (await replicaAdmin.info('replication')).includes('master_link_status:up'),
    15_000,
    'the replica to sync',
    50,
  );
  replicaAdmin.disconnect();
  await waitFor(
    async () => ((await admin.call('SENTINEL', 'replicas', name)) as unknown[]).length === 1,
    15_000,
    'Sentinel to find the replica',
    50,
  );
  return {
    name,
    sentinels: [{ host: '127.0.0.1', port: sentinelPort }],
    primaryPort,
    async killPrimary() {
      const old = await primaryPort();
      const child = children.get(old)!;
      const gone = exited(child);
      child.kill('SIGKILL');
      await gone;
      await waitFor(
        async () => (await primaryPort()) !== old,
        30_000,
        'Sentinel to promote the replica',
        50,
      );
      return { old, promoted: await primaryPort() };
    },
    async stop() {
      admin.disconnect();
      await Promise.all([...children.values(), sentinel].map((child) => exited(child)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
