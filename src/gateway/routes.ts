import { exponential } from '../core/backoff/index.js';
import { retryBudget } from '../core/retry/budget.js';
import type { RouteConfig, ValidGatewayConfig } from './config/schema.js';
import { DEFAULT_BACKOFF, DEFAULT_STALE_ENTRIES, DEFAULT_STALE_TTL_MS } from './proxy/defaults.js';
import type { LiveRoute } from './proxy/forward.js';
import { compileRoute, type CompiledRoute } from './proxy/routing.js';
import { StaleAnswers, type AnswerStore } from './proxy/stale-answers.js';

/** A route ready to match and serve. */
export interface ServedRoute extends LiveRoute {
  readonly matcher: CompiledRoute;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Opens the store of a route's stale answers; `shared` when every gateway process sees it. */
export interface AnswerStores {
  readonly shared: boolean;
  open(route: string, ttlMs: number, maxEntries: number): AnswerStore;
}

/**
 * Stale answers: kept when the route asks (`staleCache: { ttlMs }`), and by default for a
 * route that only matches GET or HEAD; never with `staleCache: false`.
 */
function cacheFor(
  route: RouteConfig,
  previous: StaleAnswers | undefined,
  stores: AnswerStores | undefined,
): StaleAnswers | undefined {
  const setting = route.staleCache;
  if (setting === false) return undefined;
  const method = route.match.method;
  if (setting === undefined && (method === undefined || !SAFE_METHODS.has(method))) {
    return undefined;
  }
  const ttlMs = setting?.ttlMs ?? DEFAULT_STALE_TTL_MS;
  const maxEntries = setting?.maxEntries ?? DEFAULT_STALE_ENTRIES;
  if (previous?.sameSettings(ttlMs, maxEntries, stores?.shared === true) === true) return previous;
  return stores === undefined
    ? new StaleAnswers(ttlMs, maxEntries)
    : new StaleAnswers(ttlMs, maxEntries, stores.open(route.name, ttlMs, maxEntries));
}

/**
 * The route's retry budget (`retry.budget`), or none; a reload with the same settings keeps
 * the one in use, so its window of requests and retries carries on.
 */
function budgetFor(route: RouteConfig, previous: ServedRoute | undefined): LiveRoute['budget'] {
  const setting = route.retry?.budget;
  if (setting === undefined) return undefined;
  if (
    previous?.budget !== undefined &&
    JSON.stringify(previous.config.retry?.budget) === JSON.stringify(setting)
  ) {
    return previous.budget;
  }
  return retryBudget(setting);
}

/**
 * The routes of `config`, in order; a route that keeps its name keeps its stale answers and
 * its retry budget.
 */
export function serveRoutes(
  config: ValidGatewayConfig,
  previous: readonly ServedRoute[],
  stores?: AnswerStores,
): ServedRoute[] {
  const before = new Map(previous.map((route) => [route.config.name, route]));
  return config.routes.map((route) => ({
    config: route,
    kind: route.kind ?? 'http',
    matcher: compileRoute(route),
    backoff: exponential({ ...DEFAULT_BACKOFF, ...route.retry?.backoff }),
    cache: cacheFor(route, before.get(route.name)?.cache, stores),
    budget: budgetFor(route, before.get(route.name)),
  }));
}

/** Closes the stale answers `before` held that `after` no longer uses (their Redis clients). */
export async function closeRetired(
  before: readonly ServedRoute[],
  after: readonly ServedRoute[],
): Promise<void> {
  const kept = new Set(after.map((route) => route.cache));
  const retired = before.flatMap((route) =>
    route.cache === undefined || kept.has(route.cache) ? [] : [route.cache],
  );
  await Promise.allSettled(retired.map((cache) => cache.close()));
}
