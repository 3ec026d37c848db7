import type { CircuitSettings, CircuitSnapshot, StoredCircuit } from '../core/breaker/store.js';
import { createBatch, scriptTrip, type OutcomeBatch, type ScriptTrip } from './batch.js';
import { circuitKeys, type CircuitKeys } from './keys.js';

/**
 * What one replica knows of one shared breaker: the breakers of this process that bear its
 * name, the latest snapshot (local or from Redis), and the outcomes not yet merged.
 */
export class SharedCircuit {
  readonly peers = new Set<StoredCircuit>();
  readonly keys: CircuitKeys;
  readonly trip: ScriptTrip;
  readonly batch: OutcomeBatch;
  readonly needsTime: boolean;
  readonly settings: CircuitSettings;
  snapshot: CircuitSnapshot;
  /** Waiting in the flush queue. */
  queued = false;
  /** A local transition that Redis has not stored yet (it was unreachable). */
  unpushed = false;

  constructor(prefix: string, first: StoredCircuit) {
    this.keys = circuitKeys(prefix, first.name);
    this.settings = first.settings;
    this.trip = scriptTrip(first.settings.trip);
    this.batch = createBatch(this.trip);
    this.needsTime = this.trip.kind === 'time';
    this.snapshot = first.toJSON();
  }

  get name(): string {
    return this.snapshot.name;
  }

  /**
   * Takes a snapshot decided elsewhere when it is newer than what this replica knows (or the
   * same version decided differently: Redis arbitrates ties), and hands it to every breaker
   * of this process under the name. Returns whether it was taken.
   */
  adopt(remote: CircuitSnapshot | null | undefined): boolean {
    if (remote === null || remote === undefined) return false;
    const known = this.snapshot;
    if (remote.version < known.version) return false;
    if (remote.version === known.version && sameSnapshot(remote, known)) return false;
    this.snapshot = remote;
    this.unpushed = false;
    if (remote.state !== 'closed' && this.batch.pending) this.batch.take(0);
    for (const peer of this.peers) peer.adopt(remote);
    return true;
  }
}

function sameSnapshot(a: CircuitSnapshot, b: CircuitSnapshot): boolean {
  return (
    a.state === b.state &&
    a.openUntil === b.openUntil &&
    a.opens === b.opens &&
    a.since === b.since &&
    a.reason === b.reason
  );
}
