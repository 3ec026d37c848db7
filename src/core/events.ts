/**
 * An event listener; an async one's rejection is reported like a throw. Its return value is
 * otherwise ignored, so `(e) => seen.push(e)` is a listener too.
 */
export type Listener<T> = (event: T) => unknown;
/** Removes the listener it was returned for; calling it twice is harmless. */
export type Unsubscribe = () => void;

type ListenerError = (error: unknown) => void;

let reportListenerError: ListenerError = (error) => {
  console.error('breakwater: an event listener threw; the call it observed is unaffected', error);
};

/** Where errors thrown by event listeners go (by default `console.error`); they never reach the call. */
export function onListenerError(handler: ListenerError): void {
  reportListenerError = handler;
}

function catchRejection(returned: unknown): void {
  if (typeof (returned as PromiseLike<unknown> | null)?.then === 'function') {
    (returned as PromiseLike<unknown>).then(undefined, (error: unknown) =>
      reportListenerError(error),
    );
  }
}

/**
 * Typed events for one policy. Created lazily by its owner so an idle policy costs no
 * memory (BENCHMARKS.md "heap per idle breaker (100,000)"; the other policies follow the
 * breaker's pattern); arrays are copied on write so a listener may unsubscribe while being
 * called.
 */
export class EventHub<Events extends object> {
  // A Map rather than an object keyed by event name: `has` runs several times per call on
  // the hot paths, and a keyed load on objects of many shapes (every policy's hub) is a
  // megamorphic lookup about twice as slow as `Map.has` (BENCHMARKS.md "`wrap`, balanced
  // strategy" and "`wrap`, balanced, Prometheus exporter attached").
  private readonly listeners = new Map<keyof Events, readonly Listener<never>[]>();

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): Unsubscribe {
    this.listeners.set(name, [...this.of(name), listener]);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const remaining = this.of(name).filter((l) => l !== listener);
      if (remaining.length === 0) this.listeners.delete(name);
      else this.listeners.set(name, remaining);
    };
  }

  /** True when someone listens, so the owner can skip building an event nobody reads. */
  has<K extends keyof Events>(name: K): boolean {
    return this.listeners.has(name);
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const current = this.listeners.get(name) as readonly Listener<Events[K]>[] | undefined;
    if (current === undefined) return;
    for (const listener of current) {
      try {
        const returned: unknown = listener(event);
        // An async listener's rejection is reported like a throw, never left unhandled.
        if (returned !== undefined) catchRejection(returned);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  listenerCount(): number {
    let count = 0;
    for (const listeners of this.listeners.values()) count += listeners.length;
    return count;
  }

  private of<K extends keyof Events>(name: K): readonly Listener<Events[K]>[] {
    return (this.listeners.get(name) as readonly Listener<Events[K]>[] | undefined) ?? [];
  }
}
