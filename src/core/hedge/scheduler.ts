import { unrefTimer } from '../timers.js';
import { WaiterList, type HedgeWaiter } from './waiter-list.js';

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
 * each attempt starts anyway. One timer for all of a hedge policy's calls, instead of a timer
 * per call, over a `WaiterList`: a call whose primary answers in time unlinks itself in O(1),
 * so the fast path never touches a timer. The timer fires at the earliest deadline, starts
 * the hedges that are due and re-arms for the next one; once nothing waits it is not
 * re-armed. It is unref'd: it never keeps a process alive, and an idle policy's timer fires
 * at most once more, within one delay, then is gone.
 */
export class HedgeScheduler implements HedgeTiming {
  private readonly waiters = new WaiterList();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  /** `delay` is read as each attempt starts: the next hedge is due that long after it. */
  constructor(
    private readonly now: () => number,
    private readonly delay: () => number,
  ) {}

  get pending(): number {
    return this.waiters.size;
  }

  begin(waiter: HedgeWaiter, hedgeLeft: boolean): number {
    const now = this.now();
    if (hedgeLeft) this.schedule(waiter, now + this.delay());
    return now;
  }

  schedule(waiter: HedgeWaiter, deadline: number): void {
    this.waiters.insert(waiter, deadline);
    if (deadline < this.timerAt) this.arm(deadline);
  }

  unschedule(waiter: HedgeWaiter): void {
    this.waiters.remove(waiter);
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
    const { waiters } = this;
    for (
      let first = waiters.head;
      first !== undefined && first.deadline <= now;
      first = waiters.head
    ) {
      waiters.remove(first);
      first.hedgeDue();
    }
    const next = waiters.head;
    if (next !== undefined && next.deadline < this.timerAt) this.arm(next.deadline);
  };
}
