import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { exited, freePort, untilAnswers } from './redis-server.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** One master of a test cluster. */
export interface ClusterNode {
  readonly port: number;
  readonly id: string;
  /** A plain (non-cluster) connection to this node, for CLUSTER and INFO commands. */
  readonly admin: Redis;
}

/** A Redis Cluster of `masters` masters (no replicas), on 127.0.0.1 and ephemeral ports, in a temp dir. */
export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** Where ioredis's `Cluster` starts. */
  readonly startup: { host: string; port: number }[];
  /** The node that serves `slot` now. */
  owner(slot: number): ClusterNode;
  /** Moves one slot (and its keys) to `target` the way resharding does, while clients keep running. */
  moveSlot(slot: number, target: ClusterNode): Promise<void>;
  /** Kills a master with SIGKILL: with no replica, the cluster goes to `cluster_state:fail`. */
  kill(node: ClusterNode): Promise<void>;
  /** Starts a killed master again with its nodes.conf; resolves once the cluster is ok. */
  revive(node: ClusterNode): Promise<void>;
  /** Kills every master at once: the whole cluster goes away. */
  killAll(): Promise<void>;
  /** Starts every master again (empty: no persistence, same slots); resolves once the cluster is ok. */
  reviveAll(): Promise<void>;
  stop(): Promise<void>;
}

function launch(dir: string, port: number, busPort: number): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--cluster-port',
      String(busPort),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      '1000',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: 'ignore' },
  );
}

async function clusterOk(admin: Redis): Promise<boolean> {
  const info = await admin.cluster('INFO').catch(() => '');
  return String(info).includes('cluster_state:ok');
}

export async function startCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'breakwater-cluster-'));
  const ports: { port: number; bus: number }[] = [];
  for (let i = 0; i < masters; i++) ports.push({ port: await freePort(), bus: await freePort() });
  const children = new Map<number, ChildProcess>();
  for (const { port, bus } of ports) {
    const child = launch(dir, port, bus);
    children.set(port, child);
    await untilAnswers(port, child);
  }
  await run('redis-cli', [
    '--cluster',
    'create',
    ...ports.map(({ port }) => `127.0.0.1:${port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);
  const nodes: ClusterNode[] = [];
  for (const { port } of ports) {
    const admin = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined); // a node is killed on purpose in some tests
    const id = String(await admin.cluster('MYID'));
    nodes.push({ port, id, admin });
  }
  const allOk = async () =>
    (await Promise.all(nodes.map((n) => clusterOk(n.admin)))).every(Boolean);
  await waitFor(allOk, 20_000, 'cluster_state:ok on every node', 50);

  const slotOwners = async (): Promise<[number, number, string][]> => {
    const alive = nodes.find((n) => n.admin.status === 'ready') ?? nodes[0]!;
    const slots = await alive.admin.cluster('SLOTS');
    return slots.map(([from, to, master]) => [from, to, master?.[2] ?? '']);
  };
  let owners = await slotOwners();
  const relaunch = async (port: number): Promise<void> => {
    const bus = ports.find((p) => p.port === port)!.bus;
    const child = launch(dir, port, bus);
    children.set(port, child);
    await untilAnswers(port, child);
  };
  const owner = (slot: number): ClusterNode => {
    const range = owners.find(([from, to]) => slot >= from && slot <= to);
    const node = nodes.find((n) => n.id === range?.[2]);
    if (node === undefined) throw new Error(`no node serves slot ${slot}`);
    return node;
  };
  return {
    nodes,
    startup: ports.map(({ port }) => ({ host: '127.0.0.1', port })),
    owner,
    async moveSlot(slot, target) {
      const source = owner(slot);
      if (source === target) return;
      await target.admin.cluster('SETSLOT', slot, 'IMPORTING', source.id);
      await source.admin.cluster('SETSLOT', slot, 'MIGRATING', target.id);
      for (;;) {
        const keys = await source.admin.cluster('GETKEYSINSLOT', slot, 100);
        if (keys.length === 0) break;
        await source.admin.migrate('127.0.0.1', target.port, '', 0, 5_000, 'KEYS', ...keys);
      }
      for (const node of [target, source, ...nodes.filter((n) => n !== source && n !== target)]) {
        await node.admin.cluster('SETSLOT', slot, 'NODE', target.id);
      }
      owners = await slotOwners();
    },
    async kill(node) {
      const child = children.get(node.port);
      if (child === undefined) return;
      const gone = exited(child);
      child.kill('SIGKILL');
      await gone;
    },
    async revive(node) {
      await relaunch(node.port);
      await waitFor(allOk, 20_000, 'cluster_state:ok again', 50);
    },
    async killAll() {
      await Promise.all([...children.values()].map((child) => exited(child, 'SIGKILL')));
    },
    async reviveAll() {
      await Promise.all(nodes.map((node) => relaunch(node.port)));
      await waitFor(allOk, 20_000, 'cluster_state:ok again', 50);
    },
    async stop() {
      for (const n of nodes) n.admin.disconnect();
      await Promise.all([...children.values()].map((child) => exited(child)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
