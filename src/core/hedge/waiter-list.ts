/** A call waiting for the moment to start its next hedge. */
export interface HedgeWaiter {
  /**
   * When the next hedge is due (clock ms, or a tick count under `HedgeTicker`); `NOT_WAITING`
   * when none is awaited. (A small integer rather than `Infinity`: a field that only ever holds
   * small integers is stored unboxed, which saves an allocation per call under a ticker:
   * BENCHMARKS.md "hedge, primary answers first".)
   */
  deadline: number;
  prev: HedgeWaiter | undefined;
  next: HedgeWaiter | undefined;
  hedgeDue(): void;
}

export const NOT_WAITING = -1;

/**
 * The calls of one hedge policy that wait for a hedge, sorted by deadline. Inserting walks
 * back from the tail, so while deadlines only grow (a steady delay) linking and unlinking
 * are both O(1) and the due calls are always at the head.
 */
export class WaiterList {
  head: HedgeWaiter | undefined;
  private tail: HedgeWaiter | undefined;
  size = 0;

  insert(waiter: HedgeWaiter, deadline: number): void {
    this.remove(waiter);
    waiter.deadline = deadline;
    let before = this.tail;
    while (before !== undefined && before.deadline > deadline) before = before.prev;
    waiter.prev = before;
    waiter.next = before === undefined ? this.head : before.next;
    if (waiter.next === undefined) this.tail = waiter;
    else waiter.next.prev = waiter;
    if (before === undefined) this.head = waiter;
    else before.next = waiter;
    this.size++;
  }

  /** `insert` for a deadline known to be the latest (a ticker's due ticks never decrease). */
  append(waiter: HedgeWaiter, deadline: number): void {
    this.remove(waiter);
    waiter.deadline = deadline;
    waiter.prev = this.tail;
    waiter.next = undefined;
    if (this.tail === undefined) this.head = waiter;
    else this.tail.next = waiter;
    this.tail = waiter;
    this.size++;
  }

  remove(waiter: HedgeWaiter): void {
    if (waiter.deadline === NOT_WAITING) return;
    waiter.deadline = NOT_WAITING;
    if (waiter.prev === undefined) this.head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = waiter.next = undefined;
    this.size--;
  }
}
