import { retryAfterMs as standardRetryAfter } from '../../core/classification/index.js';
import type { UpstreamHeaders } from './errors.js';

const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The wait an upstream asked for: `retry-after-ms` and `x-ms-retry-after-ms` (Azure) in
 * milliseconds, then `Retry-After` in seconds or as an HTTP date. Undefined when none is
 * given or readable.
 */
export function upstreamRetryAfterMs(headers: UpstreamHeaders): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = first(headers[name]);
    if (value !== undefined && DECIMAL.test(value)) return Number(value);
  }
  const after = first(headers['retry-after']);
  if (after === undefined) return undefined;
  return standardRetryAfter({ headers: { 'retry-after': after } });
}
