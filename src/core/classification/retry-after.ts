import { systemClock, wallTime, type Clock } from '../clock.js';

const MAX_CAUSE_DEPTH = 8;

/** A header value from a plain object: a string, a number, or the first of several. */
function plainValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return plainValue(value[0]);
  return undefined;
}

/** Reads a header from a `Headers` (anything with `get`) or a plain object, ignoring case. */
function header(headers: object, name: string): string | undefined {
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const value: unknown = get.call(headers, name);
    return typeof value === 'string' ? value : undefined;
  }
  const record = headers as Record<string, unknown>;
  const exact = plainValue(record[name]);
  if (exact !== undefined) return exact;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === name) return plainValue(record[key]);
  }
  return undefined;
}

function headersOf(error: object): object | undefined {
  const own = (error as { headers?: unknown }).headers;
  if (typeof own === 'object' && own !== null) return own;
  const response = (error as { response?: unknown }).response;
  if (typeof response !== 'object' || response === null) return undefined;
  const nested = (response as { headers?: unknown }).headers;
  return typeof nested === 'object' && nested !== null ? nested : undefined;
}

const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;
/** HTTP dates always name a day and month; this keeps `Date.parse` from reading `-3` as a year. */
const HTTP_DATE = /^\s*[a-z]{3,9},? /i;

/** `Retry-After`: delay-seconds, or an HTTP date (a date in the past means "now"). */
function parseRetryAfter(value: string, now: number): number | undefined {
  if (DECIMAL.test(value)) return Number(value) * 1000;
  if (!HTTP_DATE.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function fromError(error: object, clock: Clock): number | undefined {
  const own = (error as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof own === 'number' && Number.isFinite(own) && own >= 0) return own;
  const headers = headersOf(error);
  if (headers === undefined) return undefined;
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && DECIMAL.test(ms)) return Number(ms);
  const after = header(headers, 'retry-after');
  return after === undefined ? undefined : parseRetryAfter(after, wallTime(clock));
}

/**
 * How long the failed service asked us to wait, in milliseconds, or `undefined` if it did
 * not say: `error.retryAfterMs`, else the `retry-after-ms` header, else `retry-after`
 * (seconds or an HTTP date, relative to `clock`), from `error.headers` or
 * `error.response.headers` (a `Headers` or a plain object, any case). The `cause` chain is
 * searched too, outermost first.
 */
export function retryAfterMs(error: unknown, clock: Clock = systemClock): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== 'object' || current === null) return undefined;
    const found = fromError(current, clock);
    if (found !== undefined) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
