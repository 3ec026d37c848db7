import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runFixture, type Child } from './child.js';

/**
 * The replicas' process, always run from its TypeScript source: the bench imports this
 * module compiled (from `.bench-build/test/support/`), where the source is three folders up.
 */
const fixture = ((): string => {
  const candidates = ['../redis/fixtures/replicas.ts', '../../../test/redis/fixtures/replicas.ts'];
  const paths = candidates.map((path) => fileURLToPath(new URL(path, import.meta.url)));
  const found = paths.find((path) => existsSync(path));
  if (found === undefined)
    throw new Error(`the replicas fixture is in none of ${paths.join(', ')}`);
  return found;
})();

export interface ReplicaFleetOptions {
  readonly url: string;
  readonly prefix: string;
  /** Processes, and replicas in each (each replica has its own store and Redis clients). */
  readonly processes: number;
  readonly replicasPerProcess: number;
  readonly flushMs: number;
  readonly openMs: number;
  readonly maxCalls: number;
  readonly resyncMs: number;
}

/** A fleet of replicas of one service spread over child processes; resolves once all are ready. */
export async function startReplicaFleet(options: ReplicaFleetOptions): Promise<Child[]> {
  const args = [
    options.url,
    options.prefix,
    String(options.replicasPerProcess),
    String(options.flushMs),
    String(options.openMs),
    String(options.maxCalls),
    String(options.resyncMs),
  ];
  const children = Array.from({ length: options.processes }, () => runFixture(fixture, args));
  await Promise.all(children.map((child) => child.expect((m) => m.event === 'ready', 45_000)));
  return children;
}

/** Ends every process of the fleet: politely, then for sure. */
export async function stopReplicaFleet(children: readonly Child[]): Promise<void> {
  for (const child of children) child.send({ cmd: 'exit' });
  const kill = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, 5_000);
  await Promise.all(children.map((child) => child.exited));
  clearTimeout(kill);
}

/** `state` messages of the fleet that moved a replica to `to`. */
export function transitionsTo(children: readonly Child[], to: string): Record<string, unknown>[] {
  return children.flatMap((child) =>
    child.messages.filter((m) => m.event === 'state' && m.to === to),
  );
}
