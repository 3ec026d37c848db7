/**
 * One try's abort, in the shape undici takes as a request's `signal` (an emitter of `abort`
 * with `aborted` and `reason`), so a try costs no `AbortController` of its own: in Node 20 one
 * costs more to make and to listen to than the rest of the gateway's work on a request (the
 * rows of BENCHMARKS.md "The gateway"). It also listens, as an event listener object, to the
 * signal that aborts the whole call (the client's), so no closure is made per try either.
 */
export class TryAbort {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] = [];

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const listener of this.listeners.splice(0)) listener();
  }

  /** The call's signal aborted: the try ends with its reason. */
  handleEvent(event: Event): void {
    this.abort((event.target as AbortSignal).reason);
  }

  on(_event: 'abort', listener: () => void): this {
    this.listeners.push(listener);
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const index = this.listeners.indexOf(listener);
    if (index !== -1) this.listeners.splice(index, 1);
    return this;
  }
}
