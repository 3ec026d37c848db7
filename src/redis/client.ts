import { Redis, type Cluster } from 'ioredis';

/** The clients the store works with: one Redis, a Sentinel-backed Redis, or a Cluster. */
export type RedisClient = Redis | Cluster;

/** A command client and a subscriber, and whether closing them is ours to do. */
export interface RedisClients {
  readonly client: RedisClient;
  readonly subscriber: RedisClient;
  /** Clients made from a URL are quit on close; a client of the user's is left open. */
  readonly ownsClient: boolean;
}

/** Options for the clients made from a URL: fail fast offline, reconnect forever. */
const ownClientOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: (times: number) => Math.min(times * 50, 1_000),
};

/** The user's client plus a duplicate for pub/sub, or two clients of our own from `url`. */
export function openClients(
  client: RedisClient | undefined,
  url: string | undefined,
): RedisClients {
  if (client !== undefined) {
    const subscriber = client.isCluster
      ? (client as Cluster).duplicate()
      : (client as Redis).duplicate();
    return { client, subscriber, ownsClient: false };
  }
  return {
    client: new Redis(url ?? '', ownClientOptions),
    subscriber: new Redis(url ?? '', { ...ownClientOptions, enableOfflineQueue: true }),
    ownsClient: true,
  };
}

/** Quits a client politely when it is connected, else drops it. */
export async function quit(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}
