/** A remembered answer and when it was stored (clock milliseconds). */
export interface CacheEntry {
  readonly value: unknown;
  readonly storedAt: number;
}

/** Where a stale cache keeps its answers; synchronous so the success path stays cheap. */
export interface StaleCacheStore {
  get(key: string): CacheEntry | undefined;
  set(key: string, entry: CacheEntry): void;
  delete(key: string): void;
}

/** An in-memory store that keeps the `maxEntries` most recently used keys. */
export class LruStore implements StaleCacheStore {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  private readonly entries = new Map<string, CacheEntry>();
  /** The most recently used key: using it again needs no reordering. */
  private newest: string | undefined;

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.newest = key;
    }
    return entry;
  }

  set(key: string, entry: CacheEntry): void {
    if (key !== this.newest) {
      this.entries.delete(key);
      this.newest = key;
    }
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    if (key === this.newest) this.newest = undefined;
    this.entries.delete(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
}
