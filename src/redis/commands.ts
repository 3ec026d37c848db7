import { createHash } from 'node:crypto';
import type { CircuitKeys } from './keys.js';
import { claimScript, mergeScript, releaseScript, transitionScript } from './lua.js';
import type { RedisClient } from './client.js';

/** What the store learns from every command: whether Redis answers. */
export interface CommandHealth {
  succeeded(): void;
  failed(error: unknown): void;
}

/** The store's Redis commands on one breaker's keys; each script reply is its parsed JSON. */
export interface BreakerCommands {
  merge(keys: CircuitKeys, argument: unknown): Promise<unknown>;
  transition(keys: CircuitKeys, argument: unknown): Promise<unknown>;
  claim(keys: CircuitKeys, argument: unknown): Promise<unknown>;
  release(keys: CircuitKeys, argument: unknown): Promise<unknown>;
  /** The stored snapshot's JSON, or null. */
  readSnapshot(keys: CircuitKeys): Promise<string | null>;
}

type ScriptCall = (state: string, window: string, probes: string, json: string) => Promise<unknown>;

/**
 * Defines one script on the client with ioredis's `defineCommand` (it runs EVALSHA and
 * loads the script itself when the server does not know it). The name carries the script's
 * hash, so two versions of breakwater sharing a client never run each other's scripts.
 */
function define(client: RedisClient, kind: string, lua: string): ScriptCall {
  const name = `breakwater_${kind}_${createHash('sha1').update(lua).digest('hex').slice(0, 12)}`;
  const methods = client as unknown as Record<string, ScriptCall | undefined>;
  if (typeof methods[name] !== 'function') client.defineCommand(name, { numberOfKeys: 3, lua });
  const call = methods[name];
  if (call === undefined) throw new Error(`ioredis did not define the command ${name}`);
  return call.bind(client);
}

export function breakerCommands(client: RedisClient, health: CommandHealth): BreakerCommands {
  const observed = <T>(work: Promise<T>): Promise<T> =>
    work.then(
      (value) => {
        health.succeeded();
        return value;
      },
      (error: unknown) => {
        health.failed(error);
        throw error;
      },
    );
  const script = (kind: string, lua: string) => {
    const call = define(client, kind, lua);
    return (keys: CircuitKeys, argument: unknown): Promise<unknown> =>
      observed(call(keys.state, keys.window, keys.probes, JSON.stringify(argument))).then(
        (reply) => JSON.parse(String(reply)) as unknown,
      );
  };
  return {
    merge: script('merge', mergeScript),
    transition: script('transition', transitionScript),
    claim: script('claim', claimScript),
    release: script('release', releaseScript),
    readSnapshot: (keys) => observed(client.hget(keys.state, 'snapshot')),
  };
}
