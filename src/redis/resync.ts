import type { CircuitSnapshot } from '../core/breaker/store.js';
import { unrefTimer } from '../core/timers.js';
import type { StoreContext } from './context.js';
import { replySnapshot, snapshotFromJson } from './messages.js';
import type { SharedCircuit } from './shared-circuit.js';

/**
 * Keeps Redis and this replica in line: local transitions are pushed (kept when Redis is
 * away, pushed when it returns), and every breaker is re-read on (re)connection and every
 * `resyncMs`, a backstop to pub/sub — the newer snapshot wins on both sides.
 */
export class Resync {
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  /** A periodic re-read still running: the next tick skips, so re-reads never overlap. */
  private rereading = false;

  constructor(
    private readonly context: StoreContext,
    private readonly circuits: () => Iterable<SharedCircuit>,
  ) {}

  /** Stores a transition of this replica in Redis; `force` for operator commands. */
  push(shared: SharedCircuit, snapshot: CircuitSnapshot, force: boolean): void {
    if (!this.context.connection.ready) {
      shared.unpushed = true;
      return;
    }
    shared.unpushed = false;
    const argument = { channel: this.context.channel, force, snapshot };
    this.context.track(
      this.context.commands.transition(shared.keys, argument).then(
        (reply) => shared.adopt(replySnapshot(reply)),
        () => {
          shared.unpushed = true;
        },
      ),
    );
  }

  /** Pushes what Redis missed while it was away. */
  pushUnpushed(): void {
    for (const shared of this.circuits()) {
      if (shared.unpushed) this.push(shared, shared.snapshot, false);
    }
  }

  async sync(): Promise<void> {
    if (!this.context.connection.ready) return;
    await Promise.all([...this.circuits()].map((shared) => this.reconcile(shared)));
  }

  /** Brings one breaker and Redis in line: the newer snapshot wins on both sides. */
  async reconcile(shared: SharedCircuit): Promise<void> {
    let raw: string | null;
    try {
      raw = await this.context.commands.readSnapshot(shared.keys);
    } catch {
      return;
    }
    const remote = snapshotFromJson(raw);
    if (shared.adopt(remote)) return;
    const local = shared.snapshot;
    const derivedFromRemote =
      local.reason === 'open-time-elapsed' && remote?.version === local.version - 1;
    if (local.version > (remote?.version ?? 0) && !derivedFromRemote) {
      this.push(shared, local, false);
    }
  }

  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = unrefTimer(
      setInterval(() => {
        if (this.rereading) return;
        this.rereading = true;
        this.context.track(
          this.sync().finally(() => {
            this.rereading = false;
          }),
        );
      }, this.context.options.resyncMs),
    );
  }

  /** No breaker left to re-read. */
  pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.pause();
  }
}
