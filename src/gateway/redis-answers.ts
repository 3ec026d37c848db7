import type { AnswerStore } from './proxy/stale-answers.js';
import type { AnswerStores } from './routes.js';

/**
 * Stale answers shared through Redis (`store: { redis }`): each route's answers live under
 * `<prefix>cache:<route>:`, so every gateway process serves the fleet's last good answers,
 * bounded to the route's `maxEntries` and kept for its `ttlMs`.
 */
export async function redisAnswers(url: string, prefix: string): Promise<AnswerStores> {
  // Loaded only when asked for, so ioredis stays an optional peer dependency.
  const { redisStaleCacheStore } = await import('../redis/index.js');
  return {
    shared: true,
    open(route, ttlMs, maxEntries): AnswerStore {
      const store = redisStaleCacheStore({
        url,
        prefix: `${prefix}cache:${route}:`,
        ttlMs: Math.ceil(ttlMs),
        maxEntries,
      });
      return {
        shared: true,
        loaded: store.loaded,
        get: (key) => store.get(key),
        set: (key, entry) => store.set(key, entry),
        delete: (key) => store.delete(key),
        close: () => store.close(),
      };
    },
  };
}
