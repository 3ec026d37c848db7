import type { Classification } from './types.js';

/** Statuses that say "try again later" (RFC 9110 plus 529, the overload status of several AI providers). */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504, 529]);

/**
 * Server errors that no retry can fix: the server does not implement the method, or the
 * HTTP version, and will not start to in a second.
 */
const PERMANENT_SERVER_STATUSES: ReadonlySet<number> = new Set([501, 505]);

function asStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599
    ? value
    : undefined;
}

/**
 * The HTTP status an error carries: `status`, `statusCode`, `response.status`,
 * `response.statusCode` (got), or the error itself being a `Response` (which has `status`).
 */
export function readStatus(error: object): number | undefined {
  const shape = error as { status?: unknown; statusCode?: unknown; response?: unknown };
  const direct = asStatus(shape.status) ?? asStatus(shape.statusCode);
  if (direct !== undefined) return direct;
  const response = shape.response;
  if (typeof response !== 'object' || response === null) return undefined;
  const nested = response as { status?: unknown; statusCode?: unknown };
  return asStatus(nested.status) ?? asStatus(nested.statusCode);
}

/** Transient or permanent by status; `undefined` for statuses that say nothing about failure (1xx–3xx). */
export function classifyStatus(status: number): Classification | undefined {
  if (TRANSIENT_STATUSES.has(status)) return 'transient';
  if (status >= 400 && status < 500) return 'permanent';
  if (status >= 500) return PERMANENT_SERVER_STATUSES.has(status) ? 'permanent' : 'transient';
  return undefined;
}
