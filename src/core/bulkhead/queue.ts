/** A waiter in a bulkhead's queue. */
export interface Waiter {
  prev: Waiter | undefined;
  next: Waiter | undefined;
  /** Called when the waiter gets a slot. */
  start(): void;
}

/**
 * A FIFO queue with O(1) removal from the middle, so a caller who gives up leaves at once
 * and frees its place without the queue being scanned.
 */
export class WaiterQueue {
  private head: Waiter | undefined;
  private tail: Waiter | undefined;
  size = 0;

  push(waiter: Waiter): void {
    waiter.prev = this.tail;
    waiter.next = undefined;
    if (this.tail === undefined) this.head = waiter;
    else this.tail.next = waiter;
    this.tail = waiter;
    this.size++;
  }

  shift(): Waiter | undefined {
    const first = this.head;
    if (first !== undefined) this.remove(first);
    return first;
  }

  remove(waiter: Waiter): void {
    if (waiter.prev === undefined) this.head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = waiter.next = undefined;
    this.size--;
  }
}
