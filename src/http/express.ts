import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { httpHandler } from './handler.js';
import type { HttpHandlerOptions } from './options.js';
import type { Next } from './router.js';

/** Express (4 or 5) middleware with a `close()`. */
export interface ExpressHandler {
  (req: IncomingMessage, res: ServerResponse, next: Next): void;
  close(): void;
}

/**
 * The handler as Express middleware: `app.use('/ops', expressHandler(resilience, { token }))`.
 * Express strips the mount path, so the routes answer under it; a path the handler does not
 * know goes on to the next middleware. A body that `express.json()` parsed first is used
 * as it is.
 */
export function expressHandler(
  resilience: Resilience,
  options: HttpHandlerOptions = {},
): ExpressHandler {
  const handler = httpHandler(resilience, options);
  const middleware = (req: IncomingMessage, res: ServerResponse, next: Next): void =>
    handler(req, res, next);
  return Object.assign(middleware, { close: () => handler.close() });
}

export type { HttpHandlerOptions, MetricsSource } from './options.js';
