import { unrefTimer } from '../timers.js';

/** A call waiting for the moment to start its next hedge. */
export interface HedgeWaiter {
  /**
   * When the next hedge is due (clock ms, or a tick count under `HedgeTicker`); `NOT_WAITING`
   * when none is awaited. (A small integer rather than `Infinity`: a field that only ever holds
   * small integers is stored unboxed, which saves an allocation per call under a ticker.)
   */
  deadline: number;
  prev: HedgeWaiter | undefined;
  next: HedgeWaiter | undefined;
  hedgeDue(): void;
}

export const NOT_WAITING = -1;

/** How a hedge policy stamps the attempts of its calls and starts their hedges when due. */
export interface HedgeTiming {
  /** Calls that wait for a hedge now. */
  readonly pending: number;
  /**
   * An attempt of `waiter` starts now: returns the clock time it is stamped with and, when
   * `hedgeLeft`, schedules the waiter's next hedge.
   */
  begin(waiter: HedgeWaiter, hedgeLeft: boolean): number;
  unschedule(waiter: HedgeWaiter): void;
}

/**
 * Exact deadlines for a delay that changes (a latency percentile), which reads the clock as
 * each attempt starts anyway. One timer for all of a hedge policy's calls, instead of a timer per call. Waiting calls
 * form a list sorted by deadline: while the delay holds steady each new call goes at the end, and a
 * call whose primary answers in time unlinks itself, both O(1), so the fast path never
 * touches a timer. The timer fires at the earliest deadline, starts the hedges that are due
 * and re-arms for the next one; once nothing waits it is not re-armed. It is unref'd: it never
 * keeps a process alive, and an idle policy's timer fires at most once more, within one
 * delay, then is gone.
 */
export class HedgeScheduler implements HedgeTiming {
  private head: HedgeWaiter | undefined;
  private tail: HedgeWaiter | undefined;
  private waiting = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  /** `delay` is read as each attempt starts: the next hedge is due that long after it. */
  constructor(
    private readonly now: () => number,
    private readonly delay: () => number,
  ) {}

  get pending(): number {
    return this.waiting;
  }

  begin(waiter: HedgeWaiter, hedgeLeft: boolean): number {
    const now = this.now();
    if (hedgeLeft) this.schedule(waiter, now + this.delay());
    return now;
  }

  schedule(waiter: HedgeWaiter, deadline: number): void {
    this.unschedule(waiter);
    waiter.deadline = deadline;
    // Walk back from the tail: with a fixed delay the new deadline is the latest, O(1).
    let before = this.tail;
    while (before !== undefined && before.deadline > deadline) before = before.prev;
    waiter.prev = before;
    waiter.next = before === undefined ? this.head : before.next;
    if (waiter.next === undefined) this.tail = waiter;
    else waiter.next.prev = waiter;
    if (before === undefined) this.head = waiter;
    else before.next = waiter;
    this.waiting++;
    if (deadline < this.timerAt) this.arm(deadline);
  }

  unschedule(waiter: HedgeWaiter): void {
    if (waiter.deadline === NOT_WAITING) return;
    waiter.deadline = NOT_WAITING;
    if (waiter.prev === undefined) this.head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = waiter.next = undefined;
    this.waiting--;
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
    for (let first = this.head; first !== undefined && first.deadline <= now; first = this.head) {
      this.unschedule(first);
      first.hedgeDue();
    }
    const next = this.head;
    if (next !== undefined && next.deadline < this.timerAt) this.arm(next.deadline);
  };
}
