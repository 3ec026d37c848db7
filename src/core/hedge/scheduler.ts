import { unrefTimer } from '../timers.js';

/** A call waiting for the moment to start its next hedge. */
export interface HedgeWaiter {
  /** When the next hedge is due (clock ms); `Infinity` when none is awaited. */
  deadline: number;
  inQueue: boolean;
  hedgeDue(): void;
}

/**
 * One timer for all of a hedge policy's calls, instead of a timer per call: a call whose
 * primary answers in time only marks itself done, so the fast path never touches a timer.
 * The timer fires at the earliest deadline, starts the hedges that are due, and re-arms for
 * the next one; once nothing waits it is not re-armed. It is unref'd: it never keeps a process
 * alive, and an idle policy's timer fires at most once more, within one delay, then is gone.
 */
export class HedgeScheduler {
  private queue: HedgeWaiter[] = [];
  private waiting = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  constructor(private readonly now: () => number) {}

  /** Calls that wait for a hedge now. */
  get pending(): number {
    return this.waiting;
  }

  schedule(waiter: HedgeWaiter, deadline: number): void {
    if (waiter.deadline === Infinity) this.waiting++;
    waiter.deadline = deadline;
    if (!waiter.inQueue) {
      waiter.inQueue = true;
      this.queue.push(waiter);
    }
    if (deadline < this.timerAt) this.arm(deadline);
  }

  unschedule(waiter: HedgeWaiter): void {
    if (waiter.deadline === Infinity) return;
    waiter.deadline = Infinity;
    this.waiting--;
    // Done calls stay in the queue until the timer fires; compact when they dominate it.
    if (this.queue.length > 64 && this.queue.length > 4 * this.waiting) this.compact();
  }

  private compact(): void {
    this.queue = this.queue.filter((waiter) => {
      waiter.inQueue = waiter.deadline !== Infinity;
      return waiter.inQueue;
    });
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = unrefTimer(setTimeout(this.fire, Math.max(0, at - this.now())));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    const queue = this.queue;
    this.queue = [];
    for (const waiter of queue) {
      waiter.inQueue = false;
      if (waiter.deadline === Infinity) continue;
      if (waiter.deadline <= now) {
        waiter.deadline = Infinity;
        this.waiting--;
        waiter.hedgeDue();
      } else {
        waiter.inQueue = true;
        this.queue.push(waiter);
      }
    }
    let earliest = Infinity;
    for (const waiter of this.queue) if (waiter.deadline < earliest) earliest = waiter.deadline;
    if (earliest < this.timerAt) this.arm(earliest);
  };
}
