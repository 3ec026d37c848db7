import { LinkedList, type Linked } from '../linked-list.js';

/** A call waiting for the moment to start its next hedge. */
export interface HedgeWaiter extends Linked<HedgeWaiter> {
  /**
   * When the next hedge is due (clock ms, or a tick count under `HedgeTicker`); `NOT_WAITING`
   * when none is awaited. (A small integer rather than `Infinity`: a field that only ever holds
   * small integers is stored unboxed, which saves an allocation per call under a ticker:
   * BENCHMARKS.md "hedge, primary answers first".)
   */
  deadline: number;
  hedgeDue(): void;
}

export const NOT_WAITING = -1;

/**
 * The calls of one hedge policy that wait for a hedge, sorted by deadline; a waiter's
 * `deadline` says whether it is in the list. Inserting walks back from the last, so while
 * deadlines only grow (a steady delay) linking and unlinking are both O(1) and the due calls
 * are always at the head.
 */
export class WaiterList extends LinkedList<HedgeWaiter> {
  insert(waiter: HedgeWaiter, deadline: number): void {
    this.remove(waiter);
    waiter.deadline = deadline;
    let before = this.last;
    while (before !== undefined && before.deadline > deadline) before = before.prev;
    this.insertAfter(waiter, before);
  }

  /** `insert` for a deadline known to be the latest (a ticker's due ticks never decrease). */
  append(waiter: HedgeWaiter, deadline: number): void {
    this.remove(waiter);
    waiter.deadline = deadline;
    this.push(waiter);
  }

  /** Unlinks `waiter` if it waits. */
  override remove(waiter: HedgeWaiter): void {
    if (waiter.deadline === NOT_WAITING) return;
    waiter.deadline = NOT_WAITING;
    super.remove(waiter);
  }
}
