import type { Clock } from '../clock.js';
import { unrefTimer } from '../timers.js';

/** An entry of a {@link DeadlineQueue}; the queue links entries through their own fields. */
export interface QueuedDeadline {
  /** When the entry expires, in the queue's clock milliseconds. */
  readonly deadline: number;
  /** Called once, by the queue's timer, after it removed the entry whose deadline passed. */
  expire(): void;
  /** The queue's links; nothing else touches them. */
  earlier: QueuedDeadline | undefined;
  later: QueuedDeadline | undefined;
}

type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * Deadlines pushed in order (every call of one timeout policy waits the same `ms`), served
 * by ONE timer for the whole queue instead of a timer per call: a setTimeout/clearTimeout
 * pair costs several times a bare call, a push and an unlink cost a few field writes. This
 * pays for the BENCHMARKS.md rows "timeout (cooperative)" / "timeout (aggressive)" and the
 * floor "timeout + retry + breaker pipeline ≤ 12×".
 *
 * The queue is an intrusive doubly linked list, so an entry that settles before its
 * deadline leaves in O(1) wherever it is, and no dead entry lingers. The timer is armed for
 * the earliest deadline only. When the queue empties the timer is not cleared (that would be
 * a clearTimeout per call in sequential use): it fires once at its due time, finds nothing
 * due, and re-arms only if entries are waiting. It is unref'd, so it never keeps a process
 * alive. Timers are the global functions (so fake timers work); time is the injected clock.
 * A timer left pending from a call made before fake timers were installed keeps serving the
 * queue until it fires (at most `ms` later): tests install fake timers before the first call.
 */
export class DeadlineQueue {
  private first: QueuedDeadline | undefined = undefined;
  private last: QueuedDeadline | undefined = undefined;
  private count = 0;
  private timer: TimerHandle | undefined = undefined;
  /** Counts arms, so that only the latest timer acts. */
  private generation = 0;
  /** True while expiring entries, so that a push from an abort listener does not arm a second timer. */
  private firing = false;

  constructor(
    private readonly clock: Clock,
    /** The longest wait ever needed (the policy's `ms`): bounds a re-arm if the clock jumps back. */
    private readonly maxDelayMs: number,
  ) {}

  /** Entries waiting for their deadline. */
  get size(): number {
    return this.count;
  }

  /** Appends an entry whose deadline is `delayMs` from now, not earlier than any queued one. */
  push(entry: QueuedDeadline, delayMs: number): void {
    const last = this.last;
    entry.earlier = last;
    if (last === undefined) this.first = entry;
    else last.later = entry;
    this.last = entry;
    this.count++;
    if (this.timer === undefined && !this.firing) {
      // The earliest deadline, as a delay from now (`entry` is due in `delayMs`).
      this.arm((this.first as QueuedDeadline).deadline - entry.deadline + delayMs);
    }
  }

  /** Takes out an entry that is in the queue (it settled before its deadline). */
  remove(entry: QueuedDeadline): void {
    const { earlier, later } = entry;
    if (earlier === undefined) this.first = later;
    else earlier.later = later;
    if (later === undefined) this.last = earlier;
    else later.earlier = earlier;
    entry.earlier = undefined;
    entry.later = undefined;
    this.count--;
  }

  private arm(delayMs: number): void {
    const delay = Math.min(Math.max(delayMs, 1), this.maxDelayMs);
    const generation = ++this.generation;
    this.timer = unrefTimer(setTimeout(() => this.fire(generation), delay));
  }

  private fire(generation: number): void {
    if (generation !== this.generation) return;
    this.timer = undefined;
    const now = this.clock.now();
    this.firing = true;
    try {
      let entry = this.first;
      while (entry !== undefined && entry.deadline <= now) {
        this.remove(entry);
        entry.expire();
        entry = this.first;
      }
    } finally {
      this.firing = false;
    }
    const next = this.first;
    if (next !== undefined && this.timer === undefined) this.arm(next.deadline - now);
  }
}
