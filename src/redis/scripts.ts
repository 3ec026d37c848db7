import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { CircuitKeys } from './keys.js';

export type RedisClient = Redis | Cluster;

/** A Lua script run by its SHA, loaded (by EVAL) only when the server does not know it yet. */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script on one breaker's keys with one JSON argument; resolves to its JSON reply. */
  async run(client: RedisClient, keys: CircuitKeys, argument: unknown): Promise<unknown> {
    const json = JSON.stringify(argument);
    let reply: unknown;
    try {
      reply = await client.evalsha(this.sha, 3, keys.state, keys.window, keys.probes, json);
    } catch (error) {
      if (!String((error as Error | undefined)?.message).includes('NOSCRIPT')) throw error;
      reply = await client.eval(this.source, 3, keys.state, keys.window, keys.probes, json);
    }
    return JSON.parse(String(reply)) as unknown;
  }
}
