import type { Clock } from '../core/clock.js';
import { unrefTimer } from '../core/timers.js';
import type { CommandHealth } from './commands.js';

/** `ready`: connected and in sync; `unreachable`: deciding without the fleet until Redis returns. */
export type RedisStoreConnection = 'connecting' | 'ready' | 'unreachable' | 'closed';

/**
 * Whether the store can use Redis right now. Ready takes three things: the command client
 * is connected, the subscriber listens (no transition published from now on is missed), and
 * the commands themselves answer. The last one matters when a connection stays up but its
 * commands fail (a Redis Cluster in `cluster_state:fail` answers every command with
 * CLUSTERDOWN): health then reports what the commands see, and while it lasts one check
 * command every `retryMs` finds out when they answer again.
 */
export class ConnectionState implements CommandHealth {
  private clientReady: boolean;
  private subscribed = false;
  private failing = false;
  private current: RedisStoreConnection = 'connecting';
  private changedAt: number;
  private error: string | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    clientReady: boolean,
    private readonly retryMs: number,
    /** One command whose answer tells whether commands go through again. */
    private readonly check: () => Promise<unknown>,
    private readonly changed: (connection: RedisStoreConnection) => void,
  ) {
    this.clientReady = clientReady;
    this.changedAt = clock.now();
  }

  get connection(): RedisStoreConnection {
    return this.current;
  }
  get ready(): boolean {
    return this.current === 'ready';
  }
  get since(): number {
    return this.changedAt;
  }
  get lastError(): string | undefined {
    return this.error;
  }

  setClientReady(ready: boolean): void {
    this.clientReady = ready;
    if (ready) this.failing = false; // a fresh connection starts trusted
    this.update();
  }

  setSubscribed(subscribed: boolean): void {
    this.subscribed = subscribed;
    this.update();
  }

  /** An error event of the client: remembered for health, the state follows the events. */
  clientError(error: unknown): void {
    this.error = describe(error);
    this.update();
  }

  succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.update();
  }

  failed(error: unknown): void {
    this.error = describe(error);
    if (this.failing) return;
    this.failing = true;
    this.update();
    this.scheduleCheck();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.set('closed');
  }

  /** One check at a time, never overlapping: the next is scheduled once this one settled. */
  private scheduleCheck(): void {
    if (this.retryTimer !== undefined || this.closed) return;
    this.retryTimer = unrefTimer(
      setTimeout(() => {
        this.retryTimer = undefined;
        if (!this.failing || this.closed) return;
        // The check's own outcome reaches `succeeded`/`failed` through the commands.
        this.check().then(
          () => this.succeeded(),
          () => this.scheduleCheck(),
        );
      }, this.retryMs),
    );
  }

  private update(): void {
    if (this.closed) return;
    const ready = this.clientReady && this.subscribed && !this.failing;
    if (ready && this.current !== 'ready') {
      this.error = undefined;
      this.set('ready');
    } else if (!ready && this.current === 'ready') {
      this.set('unreachable');
    } else if (!ready && this.current === 'connecting' && (this.failing || this.error)) {
      this.set('unreachable');
    }
  }

  private set(connection: RedisStoreConnection): void {
    this.current = connection;
    this.changedAt = this.clock.now();
    this.changed(connection);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
