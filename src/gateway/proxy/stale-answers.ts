import { createHash } from 'node:crypto';
import { LruStore } from '../../core/stale-cache/store.js';
import type { UpstreamHeaders } from '../upstream/errors.js';

/** A good answer kept to serve when every target fails. */
export interface StaleAnswer {
  readonly status: number;
  readonly headers: UpstreamHeaders;
  readonly body: Buffer;
}

/** The last good answer per request (route, method, path and body), for `ttlMs`. */
export class StaleAnswers {
  private readonly store: LruStore;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    this.store = new LruStore(maxEntries);
  }

  sameSettings(ttlMs: number, maxEntries: number): boolean {
    return ttlMs === this.ttlMs && maxEntries === this.maxEntries;
  }

  static key(route: string, method: string, path: string, body: Buffer | undefined): string {
    const digest = createHash('sha256');
    digest.update(body ?? '');
    return `${route}\u0000${method}\u0000${path}\u0000${digest.digest('base64url')}`;
  }

  remember(key: string, answer: StaleAnswer): void {
    this.store.set(key, { value: answer, storedAt: this.now() });
  }

  recall(key: string): StaleAnswer | undefined {
    const entry = this.store.get(key);
    if (entry === undefined) return undefined;
    if (this.now() - entry.storedAt > this.ttlMs) {
      this.store.delete(key);
      return undefined;
    }
    return entry.value as StaleAnswer;
  }
}
