import { randomUUID } from 'node:crypto';
import { Redis, type Cluster } from 'ioredis';
import type {
  CircuitSnapshot,
  CircuitStore,
  ProbeRelease,
  StoreLink,
  StoredCircuit,
  TransitionReason,
} from '../core/breaker/store.js';
import { wallClock, type Clock } from '../core/clock.js';
import { EventHub, type Listener, type Unsubscribe } from '../core/events.js';
import { unrefTimer } from '../core/timers.js';
import { transitionsChannel } from './keys.js';
import { claimScript, mergeScript, releaseScript, transitionScript } from './lua.js';
import {
  resolveOptions,
  type RedisStoreOptions,
  type ResolvedRedisStoreOptions,
} from './options.js';
import { LuaScript, type RedisClient } from './scripts.js';
import { SharedCircuit } from './shared-circuit.js';

/** `ready`: connected and in sync; `unreachable`: deciding locally until Redis returns. */
export type RedisStoreConnection = 'connecting' | 'ready' | 'unreachable' | 'closed';

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
}

export interface RedisStore extends CircuitStore {
  status(): RedisStoreStatus;
  /** Called with the new status each time the connection changes (ready, unreachable, closed). */
  onStatusChange(listener: Listener<RedisStoreStatus>): Unsubscribe;
  /** Re-reads every breaker from Redis now (and stores local state Redis lacks); resolves when done. */
  sync(): Promise<void>;
}

const mergeBatch = new LuaScript(mergeScript);
const transition = new LuaScript(transitionScript);
const claim = new LuaScript(claimScript);
const releaseProbe = new LuaScript(releaseScript);

/** Operator commands act on the whole fleet, whatever version Redis holds. */
const FORCED: ReadonlySet<TransitionReason> = new Set(['isolate', 'reset', 'disable', 'enable']);
const noRelease: ProbeRelease = () => undefined;
const ignore = (): void => undefined;

interface MergeReply {
  snapshot?: CircuitSnapshot;
}
interface TransitionReply {
  applied: boolean;
  snapshot: CircuitSnapshot;
}
interface ClaimReply {
  granted: boolean;
  snapshot?: CircuitSnapshot;
}

/** One attached breaker: the probe claims it holds, released when it is disposed. */
interface Attachment {
  detached: boolean;
  /** Created on the first claim. */
  claims: Set<string> | undefined;
}

/** Options for the clients the store creates from a URL: fail fast offline, reconnect forever. */
const ownClientOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: (times: number) => Math.min(times * 50, 1_000),
};

class SharedRedisStore implements RedisStore {
  private readonly options: ResolvedRedisStoreOptions;
  private readonly clock: Clock;
  private readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly ownsClient: boolean;
  private readonly channel: string;
  private readonly replica = randomUUID();
  private readonly circuits = new Map<string, SharedCircuit>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly detach: (() => void)[] = [];
  private flushQueue: SharedCircuit[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private resyncTimer: ReturnType<typeof setInterval> | undefined;
  private claims = 0;
  private commandsReady: boolean;
  private subscribed = false;
  private connection: RedisStoreConnection;
  private since: number;
  private lastError: string | undefined;
  private closing: Promise<void> | undefined;
  private hub: EventHub<{ status: RedisStoreStatus }> | undefined;

  constructor(options: RedisStoreOptions) {
    this.options = resolveOptions(options);
    // Shared with other replicas: wall-clock time, which every machine's NTP keeps in step.
    this.clock = options.clock ?? wallClock;
    this.channel = transitionsChannel(this.options.prefix);
    if (options.client !== undefined) {
      this.client = options.client;
      this.ownsClient = false;
      this.subscriber = options.client.isCluster
        ? (options.client as Cluster).duplicate()
        : (options.client as Redis).duplicate();
    } else {
      const url = options.url ?? '';
      this.client = new Redis(url, ownClientOptions);
      this.ownsClient = true;
      this.subscriber = new Redis(url, { ...ownClientOptions, enableOfflineQueue: true });
    }
    this.connection = 'connecting';
    this.since = this.clock.now();
    this.commandsReady = this.client.status === 'ready';
    // A client made with lazyConnect waits for a first command; the store's wait for ready.
    if (this.client.status === 'wait') this.client.connect().catch(ignore);
    this.listen(this.client, 'ready', () => {
      this.commandsReady = true;
      this.update();
    });
    this.listen(this.client, 'close', () => {
      this.commandsReady = false;
      this.update();
    });
    this.listen(this.client, 'error', (error: unknown) => {
      this.lastError = error instanceof Error ? error.message : String(error);
    });
    this.listen(this.subscriber, 'error', ignore);
    this.listen(this.subscriber, 'message', (channel: string, message: string) => {
      if (channel === this.channel) this.onMessage(message);
    });
    this.listen(this.subscriber, 'ready', () => this.subscribe());
    this.listen(this.subscriber, 'close', () => {
      this.subscribed = false;
      this.update();
    });
    this.subscribe();
  }

  /** Ready means both: commands go through, and no transition published from now on is missed. */
  private subscribe(): void {
    this.subscriber.subscribe(this.channel).then(() => {
      this.subscribed = true;
      this.update();
    }, ignore);
  }

  attach(circuit: StoredCircuit): StoreLink {
    let shared = this.circuits.get(circuit.name);
    if (shared === undefined) {
      shared = new SharedCircuit(this.options.prefix, circuit);
      this.circuits.set(circuit.name, shared);
    } else if (!circuit.adopt(shared.snapshot)) {
      shared.adopt(circuit.toJSON());
    }
    shared.peers.add(circuit);
    if (this.connection === 'ready') this.track(this.reconcile(shared));
    this.startResync();
    const target = shared;
    const attachment: Attachment = { detached: false, claims: undefined };
    return {
      // The caller's path: O(1), synchronous, never throws.
      recordOutcome: (failure, slow) => {
        if (target.snapshot.state !== 'closed') return;
        target.batch.record(failure, slow, target.needsTime ? this.clock.now() : 0);
        if (!target.queued) this.enqueue(target);
      },
      recordTransition: (snapshot) => this.recordTransition(target, circuit, snapshot),
      claimProbe: () => this.claimProbe(target, attachment),
      detach: () => this.detachCircuit(target, circuit, attachment),
    };
  }

  status(): RedisStoreStatus {
    let pending = 0;
    for (const shared of this.circuits.values()) {
      if (shared.queued || shared.unpushed) pending++;
    }
    return {
      connection: this.connection,
      since: this.since,
      lastError: this.lastError,
      circuits: this.circuits.size,
      pending,
    };
  }

  onStatusChange(listener: Listener<RedisStoreStatus>): Unsubscribe {
    return (this.hub ??= new EventHub()).on('status', listener);
  }

  async sync(): Promise<void> {
    if (this.connection !== 'ready') return;
    await Promise.all([...this.circuits.values()].map((shared) => this.reconcile(shared)));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private enqueue(shared: SharedCircuit): void {
    if (this.closing !== undefined) return;
    shared.queued = true;
    this.flushQueue.push(shared);
    this.flushTimer ??= unrefTimer(setTimeout(this.flush, this.options.flushMs));
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
    this.push(shared, snapshot, FORCED.has(snapshot.reason));
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
    attachment.detached = true;
    const claims = attachment.claims;
    attachment.claims = undefined;
    if (claims !== undefined) {
      for (const id of claims) this.release(shared, id, false);
      claims.clear(); // a probe settling later has nothing left to release
    }
    shared.peers.delete(circuit);
    if (shared.peers.size > 0 || this.circuits.get(shared.name) !== shared) return;
    this.circuits.delete(shared.name);
    if (shared.queued) {
      shared.queued = false;
      this.flushQueue = this.flushQueue.filter((queued) => queued !== shared);
      if (this.connection === 'ready') this.merge(shared, this.clock.now());
    }
    if (this.circuits.size === 0) {
      clearInterval(this.resyncTimer);
      this.resyncTimer = undefined;
    }
  }

  private claimProbe(
    shared: SharedCircuit,
    attachment: Attachment,
  ): Promise<ProbeRelease | undefined> {
    if (this.connection !== 'ready') return Promise.resolve(noRelease);
    const id = `${this.replica}:${++this.claims}`;
    const argument = {
      now: this.clock.now(),
      maxCalls: shared.settings.halfOpen.maxCalls,
      ttlMs: this.options.probeTtlMs,
      id,
    };
    return new Promise((resolve) => {
      // A Redis that stopped answering must not hold the call: past the timeout the local
      // slot decides, and a claim granted too late is handed straight back.
      let answered = false;
      const timer = unrefTimer(
        setTimeout(() => {
          answered = true;
          resolve(noRelease);
        }, this.options.commandTimeoutMs),
      );
      claim.run(this.client, shared.keys, argument).then(
        (reply) => {
          clearTimeout(timer);
          const answer = this.claimAnswer(shared, attachment, id, reply as ClaimReply);
          if (!answered) resolve(answer);
          else if (answer !== undefined) answer(false);
          answered = true;
        },
        () => {
          clearTimeout(timer);
          if (!answered) resolve(noRelease);
          answered = true;
        },
      );
    });
  }

  private claimAnswer(
    shared: SharedCircuit,
    attachment: Attachment,
    id: string,
    { granted, snapshot }: ClaimReply,
  ): ProbeRelease | undefined {
    if (granted) {
      if (attachment.detached) {
        // Disposed while the claim was on its way: the slot goes straight back.
        this.release(shared, id, false);
        return noRelease;
      }
      const claims = (attachment.claims ??= new Set());
      claims.add(id);
      return (succeeded) => {
        if (claims.delete(id)) this.release(shared, id, succeeded);
      };
    }
    if (snapshot === undefined || snapshot.version < shared.snapshot.version - 1) {
      // Redis lost this breaker's state (it restarted empty): decide locally, refill it.
      this.push(shared, shared.snapshot, false);
      return noRelease;
    }
    shared.adopt(snapshot);
    return undefined;
  }

  /**
   * Hands a probe slot back; a successful probe also counts towards closing the breaker
   * fleet-wide (`successesToClose` probe successes across every replica).
   */
  private release(shared: SharedCircuit, id: string, succeeded: boolean): void {
    if (this.connection !== 'ready') return;
    const argument = {
      id,
      succeeded,
      now: this.clock.now(),
      successesToClose: shared.settings.halfOpen.successesToClose,
      channel: this.channel,
    };
    this.track(
      releaseProbe
        .run(this.client, shared.keys, argument)
        .then((reply) => shared.adopt((reply as MergeReply).snapshot), ignore),
    );
  }

  private push(shared: SharedCircuit, snapshot: CircuitSnapshot, force: boolean): void {
    if (this.connection !== 'ready') {
      shared.unpushed = true;
      return;
    }
    shared.unpushed = false;
    const argument = { channel: this.channel, force, snapshot };
    this.track(
      transition.run(this.client, shared.keys, argument).then(
        (reply) => shared.adopt((reply as TransitionReply).snapshot),
        () => {
          shared.unpushed = true;
        },
      ),
    );
  }

  private readonly flush = (): void => {
    this.flushTimer = undefined;
    if (this.connection !== 'ready') return; // kept, bounded, until Redis returns
    const due = this.flushQueue;
    this.flushQueue = [];
    const now = this.clock.now();
    for (const shared of due) {
      shared.queued = false;
      this.merge(shared, now);
    }
  };

  /** Merges one breaker's batched outcomes into the fleet's window. */
  private merge(shared: SharedCircuit, now: number): void {
    if (!shared.batch.pending || shared.snapshot.state !== 'closed') return;
    const argument = {
      now,
      name: shared.name,
      channel: this.channel,
      openMs: shared.settings.openMs(shared.snapshot.opens + 1),
      trip: shared.trip,
      batch: shared.batch.take(now),
    };
    this.track(
      mergeBatch
        .run(this.client, shared.keys, argument)
        .then((reply) => shared.adopt((reply as MergeReply).snapshot), ignore),
    );
  }

  /** Brings one breaker and Redis in line: the newer snapshot wins on both sides. */
  private async reconcile(shared: SharedCircuit): Promise<void> {
    let raw: string | null;
    try {
      raw = await this.client.hget(shared.keys.state, 'snapshot');
    } catch {
      return;
    }
    const remote = raw === null ? undefined : (JSON.parse(raw) as CircuitSnapshot);
    if (shared.adopt(remote)) return;
    const local = shared.snapshot;
    const derivedFromRemote =
      local.reason === 'open-time-elapsed' && remote?.version === local.version - 1;
    if (local.version > (remote?.version ?? 0) && !derivedFromRemote) {
      this.push(shared, local, false);
    }
  }

  private update(): void {
    if (this.closing !== undefined) return;
    const ready = this.commandsReady && this.subscribed;
    if (ready && this.connection !== 'ready') {
      this.lastError = undefined;
      this.setConnection('ready');
      // Whatever was published while this replica was away is read back here.
      this.track(this.sync());
      this.flush();
    } else if (!ready && this.connection === 'ready') {
      this.setConnection('unreachable');
    } else if (!this.commandsReady && this.connection === 'connecting' && this.lastError) {
      this.setConnection('unreachable');
    }
  }

  private onMessage(message: string): void {
    let snapshot: CircuitSnapshot;
    try {
      snapshot = JSON.parse(message) as CircuitSnapshot;
    } catch {
      return;
    }
    this.circuits.get(snapshot.name)?.adopt(snapshot);
  }

  private setConnection(connection: RedisStoreConnection): void {
    this.connection = connection;
    this.since = this.clock.now();
    this.hub?.emit('status', this.status());
  }

  private startResync(): void {
    if (this.resyncTimer !== undefined || this.closing !== undefined) return;
    this.resyncTimer = unrefTimer(
      setInterval(() => this.track(this.sync()), this.options.resyncMs),
    );
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
    const deadline = Date.now() + this.options.commandTimeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await settled(Promise.all(this.inFlight), deadline - Date.now());
    }
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    if (this.connection === 'ready') {
      this.flush();
      for (const shared of this.circuits.values()) {
        if (shared.unpushed) this.push(shared, shared.snapshot, false);
      }
    }
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.settleInFlight();
    for (const off of this.detach) off();
    this.detach.length = 0;
    await quit(this.subscriber);
    if (this.ownsClient) await quit(this.client);
    this.circuits.clear();
    this.setConnection('closed');
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

async function quit(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}

/**
 * A store that shares every breaker across the replicas of a service through Redis
 * (SPEC §6). Decisions stay local and synchronous; outcomes are merged every `flushMs`,
 * transitions are versioned and fanned out over pub/sub, half-open probes are limited
 * fleet-wide, and an unreachable Redis only means each replica decides alone for a while.
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  return new SharedRedisStore(options);
}
