import { fileURLToPath } from 'node:url';
import { runFixture, type Child } from './child.js';

const fixture = fileURLToPath(new URL('../redis/fixtures/replicas.ts', import.meta.url));

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
