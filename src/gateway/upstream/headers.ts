import type { IncomingHttpHeaders } from 'node:http';
import type { UpstreamHeaders } from './errors.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those the gateway sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/**
 * The client's headers as sent upstream: hop-by-hop ones dropped, the upstream's configured
 * headers (its API key) laid over them. `identity` encoding when the gateway must read the
 * body (event streams, error bodies of the LLM kinds).
 */
export function upstreamRequestHeaders(
  client: IncomingHttpHeaders,
  configured: Readonly<Record<string, string>> | undefined,
  readsBody: boolean,
  bodyLength: number | undefined,
): Record<string, string> {
  // for…in over the header records (plain objects) rather than Object.entries: no array of
  // pairs per request (the rows of BENCHMARKS.md "The gateway").
  const out: Record<string, string> = {};
  for (const name in client) {
    const value = client[name];
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('x-breakwater-')) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (configured !== undefined) {
    for (const name in configured) out[name.toLowerCase()] = configured[name] ?? '';
  }
  if (readsBody) out['accept-encoding'] = 'identity';
  if (bodyLength !== undefined) out['content-length'] = String(bodyLength);
  return out;
}

/** The upstream's response headers as passed to the client: hop-by-hop ones dropped. */
export function clientResponseHeaders(
  upstream: UpstreamHeaders,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** `base` (an upstream's URL, maybe with a path) with the request's path and query appended. */
export function upstreamUrl(base: URL, pathAndQuery: string): string {
  const basePath = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  return `${base.origin}${basePath}${pathAndQuery}`;
}
