import { unrefTimer } from '../core/timers.js';
import type { StoreContext } from './context.js';
import { replySnapshot } from './messages.js';
import type { SharedCircuit } from './shared-circuit.js';

/**
 * Batching: outcomes counted on the caller's path wait in their breaker's batch, and every
 * `flushMs` the breakers with outcomes are merged into the fleet's window, one script each.
 * While Redis is away the batches stay (bounded by their window) until it returns.
 */
export class Flusher {
  private queue: SharedCircuit[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly context: StoreContext) {}

  /** The caller's path: O(1), synchronous, never throws. */
  record(shared: SharedCircuit, failure: boolean, slow: boolean): void {
    if (shared.snapshot.state !== 'closed') return;
    shared.batch.record(failure, slow, shared.needsTime ? this.context.clock.now() : 0);
    if (shared.queued || this.stopped) return;
    shared.queued = true;
    this.queue.push(shared);
    this.timer ??= unrefTimer(setTimeout(this.flush, this.context.options.flushMs));
  }

  readonly flush = (): void => {
    this.timer = undefined;
    if (!this.context.connection.ready) return; // kept, bounded, until Redis returns
    const due = this.queue;
    this.queue = [];
    const now = this.context.clock.now();
    for (const shared of due) {
      shared.queued = false;
      this.merge(shared, now);
    }
  };

  /** A breaker leaves: its last outcomes are merged now when Redis is there. */
  forget(shared: SharedCircuit): void {
    if (!shared.queued) return;
    shared.queued = false;
    this.queue = this.queue.filter((queued) => queued !== shared);
    if (this.context.connection.ready) this.merge(shared, this.context.clock.now());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Merges one breaker's batched outcomes into the fleet's window. */
  private merge(shared: SharedCircuit, now: number): void {
    if (!shared.batch.pending || shared.snapshot.state !== 'closed') return;
    const { channel } = this.context;
    const argument = {
      now,
      name: shared.name,
      channel,
      openMs: shared.settings.openMs(shared.snapshot.opens + 1),
      trip: shared.trip,
      batch: shared.batch.take(now),
    };
    this.context.track(
      this.context.commands
        .merge(shared.keys, argument)
        .then((reply) => shared.adopt(replySnapshot(reply))),
    );
  }
}
