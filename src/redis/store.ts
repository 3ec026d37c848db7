import type {
  CircuitSnapshot,
  CircuitStore,
  StoreLink,
  StoredCircuit,
  TransitionReason,
} from '../core/breaker/store.js';
import { systemClock } from '../core/clock.js';
import { EventHub, type Listener, type Unsubscribe } from '../core/events.js';
import { openClients, quit, type RedisClient } from './client.js';
import { breakerCommands } from './commands.js';
import { ConnectionState, type RedisStoreConnection } from './connection.js';
import type { StoreContext } from './context.js';
import { Flusher } from './flush.js';
import { transitionsChannel } from './keys.js';
import { snapshotFromJson } from './messages.js';
import { resolveOptions, type RedisStoreOptions, type StoreUnavailablePolicy } from './options.js';
import { ProbeClaims, type Attachment } from './probe-claims.js';
import { Resync } from './resync.js';
import { SharedCircuit } from './shared-circuit.js';

export type { RedisStoreConnection } from './connection.js';

/** The store's health, for health endpoints and dashboards. */
export interface RedisStoreStatus {
  readonly connection: RedisStoreConnection;
  /** When `connection` last changed (the store's clock). */
  readonly since: number;
  /** The last error Redis gave, if any since the last successful connection. */
  readonly lastError: string | undefined;
  /** Breaker names this replica shares. */
  readonly circuits: number;
  /** Breakers with outcomes or transitions waiting for Redis. */
  readonly pending: number;
  /** The policy while Redis cannot be reached. */
  readonly onStoreUnavailable: StoreUnavailablePolicy;
  /** Half-open probes run on the local decision alone because Redis could not be asked (`local`). */
  readonly localProbes: number;
  /** Half-open probes refused because Redis could not be asked (`strict`). */
  readonly refusedProbes: number;
}

export interface RedisStore extends CircuitStore {
  status(): RedisStoreStatus;
  /** Called with the new status each time the connection changes (ready, unreachable, closed). */
  onStatusChange(listener: Listener<RedisStoreStatus>): Unsubscribe;
  /** Re-reads every breaker from Redis now (and stores local state Redis lacks); resolves when done. */
  sync(): Promise<void>;
}

/** Operator commands act on the whole fleet, whatever version Redis holds. */
const FORCED: ReadonlySet<TransitionReason> = new Set(['isolate', 'reset', 'disable', 'enable']);
const ignore = (): void => undefined;
/** While commands fail on a live connection, one check command runs this often at most. */
const MAX_RETRY_MS = 500;

class SharedRedisStore implements RedisStore {
  private readonly context: StoreContext;
  private readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly ownsClient: boolean;
  private readonly circuits = new Map<string, SharedCircuit>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly detach: (() => void)[] = [];
  private readonly flusher: Flusher;
  private readonly resync: Resync;
  private readonly claims: ProbeClaims;
  private closing: Promise<void> | undefined;
  private hub: EventHub<{ status: RedisStoreStatus }> | undefined;

  constructor(options: RedisStoreOptions) {
    const resolved = resolveOptions(options);
    const clock = options.clock ?? systemClock;
    ({
      client: this.client,
      subscriber: this.subscriber,
      ownsClient: this.ownsClient,
    } = openClients(options.client, options.url));
    const connection = new ConnectionState(
      clock,
      this.client.status === 'ready',
      Math.min(resolved.resyncMs, MAX_RETRY_MS),
      () => this.checkCommands(),
      (state) => this.connectionChanged(state),
    );
    this.context = {
      options: resolved,
      clock,
      channel: transitionsChannel(resolved.prefix),
      commands: breakerCommands(this.client, connection),
      connection,
      track: (work) => this.track(work),
    };
    this.flusher = new Flusher(this.context);
    this.resync = new Resync(this.context, () => this.circuits.values());
    this.claims = new ProbeClaims(this.context, this.resync);
    // A client made with lazyConnect waits for a first command; the store's wait for ready.
    if (this.client.status === 'wait') this.client.connect().catch(ignore);
    this.listen(this.client, 'ready', () => connection.setClientReady(true));
    this.listen(this.client, 'close', () => connection.setClientReady(false));
    this.listen(this.client, 'error', (error: unknown) => connection.clientError(error));
    this.listen(this.subscriber, 'error', ignore);
    this.listen(this.subscriber, 'message', (channel: unknown, message: unknown) => {
      if (channel === this.context.channel) this.onMessage(message);
    });
    this.listen(this.subscriber, 'ready', () => this.subscribe());
    this.listen(this.subscriber, 'close', () => connection.setSubscribed(false));
    this.subscribe();
  }

  /** Ready means both: commands go through, and no transition published from now on is missed. */
  private subscribe(): void {
    this.subscriber
      .subscribe(this.context.channel)
      .then(() => this.context.connection.setSubscribed(true), ignore);
  }

  attach(circuit: StoredCircuit): StoreLink {
    let shared = this.circuits.get(circuit.name);
    if (shared === undefined) {
      shared = new SharedCircuit(this.context.options.prefix, circuit);
      this.circuits.set(circuit.name, shared);
    } else if (!circuit.adopt(shared.snapshot)) {
      shared.adopt(circuit.toJSON());
    }
    shared.peers.add(circuit);
    if (this.context.connection.ready) this.track(this.resync.reconcile(shared));
    if (this.closing === undefined) this.resync.start();
    const target = shared;
    const attachment: Attachment = { detached: false, claims: undefined };
    return {
      recordOutcome: (failure, slow) => this.flusher.record(target, failure, slow),
      recordTransition: (snapshot) => this.recordTransition(target, circuit, snapshot),
      claimProbe: () => this.claims.claim(target, attachment),
      detach: () => this.detachCircuit(target, circuit, attachment),
    };
  }

  status(): RedisStoreStatus {
    let pending = 0;
    for (const shared of this.circuits.values()) {
      if (shared.queued || shared.unpushed) pending++;
    }
    const { connection, options } = this.context;
    return {
      connection: connection.connection,
      since: connection.since,
      lastError: connection.lastError,
      circuits: this.circuits.size,
      pending,
      onStoreUnavailable: options.onStoreUnavailable,
      localProbes: this.claims.localProbes,
      refusedProbes: this.claims.refusedProbes,
    };
  }

  onStatusChange(listener: Listener<RedisStoreStatus>): Unsubscribe {
    return (this.hub ??= new EventHub()).on('status', listener);
  }

  sync(): Promise<void> {
    return this.resync.sync();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private recordTransition(
    shared: SharedCircuit,
    origin: StoredCircuit,
    snapshot: CircuitSnapshot,
  ): void {
    shared.snapshot = snapshot;
    if (snapshot.state !== 'closed' && shared.batch.pending) shared.batch.take(0);
    for (const peer of shared.peers) if (peer !== origin) peer.adopt(snapshot);
    // Half-open follows from the open time on every replica; the fleet-wide part of it is
    // the probe claim, so this transition is not published.
    if (snapshot.reason === 'open-time-elapsed') return;
    this.resync.push(shared, snapshot, FORCED.has(snapshot.reason));
  }

  /**
   * A breaker leaves: its probe claims go back to the fleet, and when it was the last
   * breaker of its name here, this replica stops batching, merging and listening for it
   * (its last outcomes are merged first when Redis is there). The fleet's state in Redis stays.
   */
  private detachCircuit(
    shared: SharedCircuit,
    circuit: StoredCircuit,
    attachment: Attachment,
  ): void {
    this.claims.releaseAll(shared, attachment);
    shared.peers.delete(circuit);
    if (shared.peers.size > 0 || this.circuits.get(shared.name) !== shared) return;
    this.circuits.delete(shared.name);
    this.flusher.forget(shared);
    if (this.circuits.size === 0) this.resync.pause();
  }

  /** The command that tells whether commands answer again: a read of a shared breaker. */
  private checkCommands(): Promise<unknown> {
    const first = this.circuits.values().next();
    if (first.done === true) return this.client.ping();
    return this.context.commands.readSnapshot(first.value.keys);
  }

  private connectionChanged(connection: RedisStoreConnection): void {
    if (connection === 'ready' && this.closing === undefined) {
      // Whatever was published while this replica was away is read back here.
      this.track(this.resync.sync());
      this.flusher.flush();
    }
    this.hub?.emit('status', this.status());
  }

  private onMessage(message: unknown): void {
    const snapshot = snapshotFromJson(message);
    if (snapshot !== undefined) this.circuits.get(snapshot.name)?.adopt(snapshot);
  }

  private track(work: Promise<unknown>): void {
    const settled = work.catch(ignore).finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
  }

  private listen(client: RedisClient, event: string, listener: (...args: never[]) => void): void {
    const handler = listener as unknown as (...args: unknown[]) => void;
    client.on(event, handler);
    this.detach.push(() => client.off(event, handler));
  }

  private async settleInFlight(): Promise<void> {
    const { commandTimeoutMs } = this.context.options;
    const deadline = Date.now() + commandTimeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await settled(Promise.all(this.inFlight), deadline - Date.now());
    }
  }

  private async shutdown(): Promise<void> {
    this.resync.stop();
    if (this.context.connection.ready) {
      this.flusher.flush();
      this.resync.pushUnpushed();
    }
    this.flusher.stop();
    await this.settleInFlight();
    for (const off of this.detach) off();
    this.detach.length = 0;
    await quit(this.subscriber);
    if (this.ownsClient) await quit(this.client);
    this.circuits.clear();
    this.context.connection.close();
    this.hub = undefined;
  }
}

/** Waits for the commands in flight, but no longer than `commandTimeoutMs` if Redis is silent. */
function settled(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void work.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A store that shares every breaker across the replicas of a service through Redis
 * (SPEC §6). Decisions stay local and synchronous; outcomes are merged every `flushMs`,
 * transitions are versioned and fanned out over pub/sub, half-open probes are limited
 * fleet-wide, and an unreachable Redis means each replica decides alone for a while
 * (`onStoreUnavailable: 'local'`) or refuses probes it cannot share (`'strict'`).
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  return new SharedRedisStore(options);
}
