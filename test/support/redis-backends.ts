import { Cluster, Redis } from 'ioredis';
import { startCluster, type RedisCluster } from './redis-cluster.js';
import { startRedis } from './redis-server.js';

/** How a store reaches Redis: its own clients from a URL, or a client of the user's. */
export type RedisConnection = { readonly url: string } | { readonly client: Redis | Cluster };

/**
 * One Redis deployment the store's suite runs against: a single `redis-server`, or a real
 * 3-master Redis Cluster reached with ioredis's `Cluster`. The suite asks for what it needs
 * (a connection per replica, keys, command counts, an outage) and the backend says how.
 */
export interface RedisBackend {
  readonly kind: 'one server' | 'cluster';
  /** A connection for one replica's store (on a cluster, a `Cluster` client of its own). */
  connection(): RedisConnection;
  /** A client handed to a store by its user; the store never quits it (`releaseClients` does). */
  client(): Redis | Cluster;
  /** A connection to where nothing listens. */
  nowhere(): RedisConnection;
  /** What the store's `lastError` says when nothing listens. */
  readonly refused: RegExp;
  /** The test's own client: commands on keys are routed to their slot's master. */
  readonly admin: Redis | Cluster;
  /** Keys matching `pattern`, on every master. */
  keys(pattern: string): Promise<string[]>;
  /** Commands Redis ran so far on every master (INFO and a cluster client's own CLUSTER excluded). */
  commandCount(): Promise<number>;
  /** Client connections open on every master. */
  clientCount(): Promise<number>;
  /** `CLIENT PAUSE ms ALL` on every master. */
  pause(ms: number): Promise<void>;
  /** Resolves once every master answers (after a pause). */
  ping(): Promise<void>;
  /** `SCRIPT FLUSH` on every master. */
  flushScripts(): Promise<void>;
  /** Redis goes away at once (SIGKILL: nothing flushed, no client told). */
  crash(): Promise<void>;
  /** Redis comes back empty where it was; resolves once it serves commands. */
  restart(): Promise<void>;
  /** Quits the clients `connection()` and `client()` handed out. */
  releaseClients(): Promise<void>;
  /** Stops everything. */
  stop(): Promise<void>;
}

/** Calls of every command in INFO commandstats, but those a test or a cluster client runs to look. */
export async function commandCount(node: Redis): Promise<number> {
  const info = await node.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_([^:|]+)(?:\|[^:]+)?:calls=(\d+)/gm)) {
    if (match[1] !== 'info' && match[1] !== 'cluster') total += Number(match[2]);
  }
  return total;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const clientsOf = async (node: Redis): Promise<number> =>
  String(await node.client('LIST'))
    .trim()
    .split('\n').length;

export async function serverBackend(): Promise<RedisBackend> {
  const server = await startRedis();
  const admin = new Redis(server.url);
  admin.on('error', () => undefined); // the server is crashed on purpose
  const given: Redis[] = [];
  return {
    kind: 'one server',
    connection: () => ({ url: server.url }),
    client() {
      const client = new Redis(server.url);
      given.push(client);
      return client;
    },
    nowhere: () => ({ url: 'redis://127.0.0.1:1' }),
    refused: /ECONNREFUSED/,
    admin,
    keys: (pattern) => admin.keys(pattern),
    commandCount: () => commandCount(admin),
    clientCount: () => clientsOf(admin),
    async pause(ms) {
      await admin.client('PAUSE', String(ms), 'ALL');
    },
    async ping() {
      await admin.ping();
    },
    async flushScripts() {
      await admin.script('FLUSH');
    },
    crash: () => server.stop('SIGKILL'),
    restart: () => server.restart(),
    async releaseClients() {
      await Promise.all(given.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
    },
    async stop() {
      admin.disconnect();
      await server.stop();
    },
  };
}

export async function clusterBackend(): Promise<RedisBackend & { readonly cluster: RedisCluster }> {
  const cluster = await startCluster(3);
  const given: Cluster[] = [];
  const newClient = (startup = cluster.startup): Cluster => {
    const client = new Cluster(startup, {
      redisOptions: { maxRetriesPerRequest: 1 },
      clusterRetryStrategy: (times) => Math.min(times * 50, 500),
    });
    client.on('error', () => undefined); // the store reports errors; masters die on purpose
    given.push(client);
    return client;
  };
  const admin = newClient();
  const every = <T>(work: (node: Redis) => Promise<T>): Promise<T[]> =>
    Promise.all(cluster.nodes.map((n) => work(n.admin)));
  return {
    kind: 'cluster',
    cluster,
    connection: () => ({ client: newClient() }),
    client: () => newClient(),
    nowhere: () => ({ client: newClient([{ host: '127.0.0.1', port: 1 }]) }),
    refused: /ECONNREFUSED|refresh slots|None of startup nodes/i,
    admin,
    keys: async (pattern) => (await every((node) => node.keys(pattern))).flat(),
    commandCount: async () => sum(await every(commandCount)),
    clientCount: async () => sum(await every(clientsOf)),
    async pause(ms) {
      await every((node) => node.client('PAUSE', String(ms), 'ALL'));
    },
    async ping() {
      await every((node) => node.ping());
    },
    async flushScripts() {
      await every((node) => node.script('FLUSH'));
    },
    crash: () => cluster.killAll(),
    restart: () => cluster.reviveAll(),
    async releaseClients() {
      const clients = given.splice(0).filter((c) => c !== admin);
      given.push(admin);
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    },
    async stop() {
      admin.disconnect();
      for (const client of given) client.disconnect();
      await cluster.stop();
    },
  };
}
