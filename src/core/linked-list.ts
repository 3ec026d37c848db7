/** A node of a `LinkedList`: the links are the node's own fields, so linking allocates nothing. */
export interface Linked<N> {
  prev: N | undefined;
  next: N | undefined;
}

/**
 * A doubly linked list threaded through its nodes' own `prev`/`next`: appending, taking the
 * head and unlinking a node from anywhere are O(1), so a caller who gives up leaves at once
 * without the list being scanned (a bulkhead's queue, a hedge policy's waiting calls). A node
 * is in one list at a time, and only the list's owner knows whether it is in this one.
 */
export class LinkedList<N extends Linked<N>> {
  head: N | undefined = undefined;
  last: N | undefined = undefined;
  size = 0;

  /** Links `node` right after `before`, or first when `before` is undefined. */
  insertAfter(node: N, before: N | undefined): void {
    node.prev = before;
    node.next = before === undefined ? this.head : before.next;
    if (node.next === undefined) this.last = node;
    else node.next.prev = node;
    if (before === undefined) this.head = node;
    else before.next = node;
    this.size++;
  }

  push(node: N): void {
    this.insertAfter(node, this.last);
  }

  shift(): N | undefined {
    const first = this.head;
    if (first !== undefined) this.remove(first);
    return first;
  }

  /** Unlinks `node`, which must be in this list. */
  remove(node: N): void {
    if (node.prev === undefined) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.last = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = undefined;
    this.size--;
  }
}
