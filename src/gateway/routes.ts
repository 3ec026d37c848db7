import { exponential } from '../core/backoff/index.js';
import type { RouteConfig, ValidGatewayConfig } from './config/schema.js';
import { DEFAULT_BACKOFF, DEFAULT_STALE_ENTRIES, DEFAULT_STALE_TTL_MS } from './proxy/defaults.js';
import type { LiveRoute } from './proxy/forward.js';
import { compileRoute, type CompiledRoute } from './proxy/routing.js';
import { StaleAnswers } from './proxy/stale-answers.js';

/** A route ready to match and serve. */
export interface ServedRoute extends LiveRoute {
  readonly matcher: CompiledRoute;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Stale answers: kept when the route asks (`staleCache: { ttlMs }`), and by default for a
 * route that only matches GET or HEAD; never with `staleCache: false`.
 */
function cacheFor(
  route: RouteConfig,
  previous: StaleAnswers | undefined,
): StaleAnswers | undefined {
  const setting = route.staleCache;
  if (setting === false) return undefined;
  const method = route.match.method;
  if (setting === undefined && (method === undefined || !SAFE_METHODS.has(method))) {
    return undefined;
  }
  const ttlMs = setting?.ttlMs ?? DEFAULT_STALE_TTL_MS;
  const maxEntries = setting?.maxEntries ?? DEFAULT_STALE_ENTRIES;
  return previous?.sameSettings(ttlMs, maxEntries) === true
    ? previous
    : new StaleAnswers(ttlMs, maxEntries);
}

/** The routes of `config`, in order; a route that keeps its name keeps its stale answers. */
export function serveRoutes(
  config: ValidGatewayConfig,
  previous: readonly ServedRoute[],
): ServedRoute[] {
  const before = new Map(previous.map((route) => [route.config.name, route]));
  return config.routes.map((route) => ({
    config: route,
    kind: route.kind ?? 'http',
    matcher: compileRoute(route),
    backoff: exponential({ ...DEFAULT_BACKOFF, ...route.retry?.backoff }),
    cache: cacheFor(route, before.get(route.name)?.cache),
  }));
}
