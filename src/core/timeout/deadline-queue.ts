import type { Clock } from '../clock.js';
import { holdProcess } from '../timers.js';

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
 * Deadlines kept in order, served by ONE timer for the whole queue instead of a timer per
 * call: a setTimeout/clearTimeout pair costs several times a bare call, a push and an unlink
 * cost a few field writes. This pays for the BENCHMARKS.md rows "timeout (cooperative)" /
 * "timeout (aggressive)" and the floor "timeout + retry + breaker pipeline ≤ 12×". Every call of a fixed timeout waits the same `ms`, so entries
 * arrive in order and are appended; an adaptive timeout's deadlines vary, and an entry due
 * before the last is walked back to its place from the end (deadlines move slowly).
 *
 * The queue is an intrusive doubly linked list, so an entry that settles before its
 * deadline leaves in O(1) wherever it is, and no dead entry lingers. The timer is armed for
 * the earliest deadline only. When the queue empties the timer is not cleared (that would be
 * a clearTimeout per call in sequential use): it fires once at its due time, finds nothing
 * due, and re-arms only if entries are waiting. While a call waits, the timer holds the
 * process (a pending deadline is a promise to that caller: a script whose only work is a
 * call that hangs must see its TimeoutError, not exit); once the queue is empty it lets go,
 * so an idle policy keeps nothing alive. Timers are the global functions (so fake timers
 * work); time is the injected clock. A timer left pending from a call made before fake timers were
 * installed keeps serving the queue until it fires: tests install fake timers first.
 */
export class DeadlineQueue {
  private first: QueuedDeadline | undefined = undefined;
  private last: QueuedDeadline | undefined = undefined;
  private count = 0;
  private timer: TimerHandle | undefined = undefined;
  /** The deadline the timer was armed for. */
  private dueAt = Number.NaN;
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

  /** Puts in an entry whose deadline is `delayMs` from now, after every entry not due later. */
  push(entry: QueuedDeadline, delayMs: number): void {
    let earlier = this.last;
    while (earlier !== undefined && earlier.deadline > entry.deadline) earlier = earlier.earlier;
    const later = earlier === undefined ? this.first : earlier.later;
    entry.earlier = earlier;
    entry.later = later;
    if (earlier === undefined) this.first = entry;
    else earlier.later = entry;
    if (later === undefined) this.last = entry;
    else later.earlier = entry;
    if (this.count++ === 0) holdProcess(this.timer, true);
    if (this.firing) return;
    if (this.timer === undefined) {
      // The earliest deadline, as a delay from now (`entry` is due in `delayMs`).
      this.arm((this.first as QueuedDeadline).deadline - entry.deadline + delayMs);
    } else if (earlier === undefined && entry.deadline < this.dueAt) {
      this.arm(delayMs);
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
    if (--this.count === 0) holdProcess(this.timer, false);
  }

  private arm(delayMs: number): void {
    const delay = Math.min(Math.max(delayMs, 1), this.maxDelayMs);
    const generation = ++this.generation;
    this.dueAt = (this.first as QueuedDeadline).deadline;
    const timer = setTimeout(() => this.fire(generation), delay);
    // A timer replaced before it fired is let go of: only the latest may hold the process.
    holdProcess(this.timer, false);
    this.timer = holdProcess(timer, this.count > 0);
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
