import type { RouteConfig } from '../config/schema.js';

/** `gpt-4o*` → a RegExp: `*` any run of characters, `?` one character, the rest literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((char) => {
      if (char === '*') return '.*';
      if (char === '?') return '.';
      return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`, 's');
}

export interface RequestFacts {
  readonly method: string;
  readonly path: string;
  /** The JSON body's `model`, for the openai/anthropic kinds. */
  readonly model: string | undefined;
}

export interface CompiledRoute {
  readonly route: RouteConfig;
  /** Whether the route needs the request body's model to decide. */
  readonly needsModel: boolean;
  matches(facts: RequestFacts): boolean;
}

/** A path ending in `/` is a prefix; any other path matches exactly. */
function pathMatcher(path: string | undefined): (requestPath: string) => boolean {
  if (path === undefined) return () => true;
  if (path.endsWith('/')) return (requestPath) => requestPath.startsWith(path);
  return (requestPath) => requestPath === path;
}

export function compileRoute(route: RouteConfig): CompiledRoute {
  const { method, path, model } = route.match;
  const pathMatches = pathMatcher(path);
  const modelPattern = model === undefined ? undefined : globToRegExp(model);
  return {
    route,
    needsModel: modelPattern !== undefined,
    matches(facts) {
      if (method !== undefined && facts.method !== method) return false;
      if (!pathMatches(facts.path)) return false;
      if (modelPattern === undefined) return true;
      return facts.model !== undefined && modelPattern.test(facts.model);
    },
  };
}

/** The first route that matches wins. */
export function findRoute<R extends { readonly matcher: CompiledRoute }>(
  routes: readonly R[],
  facts: RequestFacts,
): R | undefined {
  return routes.find((route) => route.matcher.matches(facts));
}
