import { createHash } from 'node:crypto';
import { LruStore, type StaleCacheStore } from '../../core/stale-cache/store.js';
import type { UpstreamHeaders } from '../upstream/errors.js';

/** A good answer kept to serve when every target fails. */
export interface StaleAnswer {
  readonly status: number;
  readonly headers: UpstreamHeaders;
  readonly body: Buffer;
}

/**
 * Where a route keeps its answers: in memory (the default), or a store shared by every
 * gateway process (Redis), whose values travel as JSON and whose `close()` ends it.
 */
export interface AnswerStore extends StaleCacheStore {
  /** Values travel as JSON text (the body as base64) and may come from another process. */
  readonly shared: boolean;
  /** Resolves once the answers the store already held elsewhere are readable here. */
  readonly loaded: Promise<void>;
  close(): Promise<void>;
}

/** An answer as a shared store holds it: JSON only. */
interface SharedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
}

const isHeaderValue = (value: unknown): boolean =>
  typeof value === 'string' ||
  (Array.isArray(value) && value.every((item) => typeof item === 'string'));

/** An answer from another process is checked before it can reach a client. */
function fromShared(value: unknown): StaleAnswer | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { status, headers, body } = value as Partial<Record<keyof SharedAnswer, unknown>>;
  if (typeof status !== 'number' || status < 200 || status >= 300) return undefined;
  if (typeof body !== 'string' || typeof headers !== 'object' || headers === null) {
    return undefined;
  }
  if (!Object.values(headers).every(isHeaderValue)) return undefined;
  return { status, headers: headers as UpstreamHeaders, body: Buffer.from(body, 'base64') };
}

function toShared(answer: StaleAnswer): SharedAnswer {
  const headers: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined) headers[name] = value;
  }
  return { status: answer.status, headers, body: answer.body.toString('base64') };
}

/** The process's own memory: answers kept as they are, nothing to close. */
export function memoryAnswers(maxEntries: number): AnswerStore {
  const lru = new LruStore(maxEntries);
  return {
    shared: false,
    loaded: Promise.resolve(),
    get: (key) => lru.get(key),
    set: (key, entry) => lru.set(key, entry),
    delete: (key) => lru.delete(key),
    close: () => Promise.resolve(),
  };
}

/** The last good answer per request (route, method, path and body), for `ttlMs`. */
export class StaleAnswers {
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly store: AnswerStore = memoryAnswers(maxEntries),
    private readonly now: () => number = Date.now,
  ) {}

  sameSettings(ttlMs: number, maxEntries: number, shared: boolean): boolean {
    return ttlMs === this.ttlMs && maxEntries === this.maxEntries && shared === this.store.shared;
  }

  static key(route: string, method: string, path: string, body: Buffer | undefined): string {
    const digest = createHash('sha256');
    digest.update(body ?? '');
    return `${route}\u0000${method}\u0000${path}\u0000${digest.digest('base64url')}`;
  }

  /** Only a successful upstream answer is given here (the caller checks its status). */
  remember(key: string, answer: StaleAnswer): void {
    const value = this.store.shared ? toShared(answer) : answer;
    this.store.set(key, { value, storedAt: this.now() });
  }

  recall(key: string): StaleAnswer | undefined {
    const entry = this.store.get(key);
    if (entry === undefined) return undefined;
    if (this.now() - entry.storedAt > this.ttlMs) {
      this.store.delete(key);
      return undefined;
    }
    return this.store.shared ? fromShared(entry.value) : (entry.value as StaleAnswer);
  }

  get loaded(): Promise<void> {
    return this.store.loaded;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
