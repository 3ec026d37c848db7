import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { resolveOptions, type HttpHandlerOptions } from './options.js';
import { sendError } from './respond.js';
import { createRouter, type Next } from './router.js';

/** A node:http request listener (and Connect/Express middleware) with a `close()`. */
export interface HttpHandler {
  (req: IncomingMessage, res: ServerResponse, next?: Next): void;
  /** Ends event streams and pending `ttlMs` reverts; the handler answers nothing after. */
  close(): void;
}

/**
 * Health, admin, metrics, events and the dashboard for `resilience` (SPEC §8.2), as one
 * request listener: `http.createServer(httpHandler(resilience, { token }))`. A request
 * outside `basePath`, or (when a `next` is given, as in Express) on a route it does not
 * know, is passed on; without `next` it gets 404.
 */
export function httpHandler(resilience: Resilience, options: HttpHandlerOptions = {}): HttpHandler {
  const resolved = resolveOptions(options);
  const router = createRouter(resilience, resolved);
  const base = resolved.basePath;
  const handler = (req: IncomingMessage, res: ServerResponse, next?: Next): void => {
    const path = pathOf(req.url ?? '/', base);
    if (path === undefined) {
      if (next !== undefined) return next();
      return sendError(req, res, 404, 'no such route');
    }
    router.serve(req, res, path, next);
  };
  return Object.assign(handler, { close: () => router.close() });
}

/** The request's path below `base` ('' for none), or undefined when it is not under it. */
export function pathOf(url: string, base: string): string | undefined {
  const query = url.search(/[?#]/);
  const path = query === -1 ? url : url.slice(0, query);
  if (base === '') return path === '' ? '/' : path;
  if (path === base) return '/';
  return path.startsWith(`${base}/`) ? path.slice(base.length) : undefined;
}
