import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/core/classification/index.js';
import { CircuitOpenError, RateLimitError } from '../../src/core/errors/index.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const clock = { now: () => NOW };

function withProps(props: Record<string, unknown>): Error {
  return Object.assign(new Error('boom'), props);
}

describe('retryAfterMs', () => {
  const headerTable: [string, Record<string, string>, number | undefined][] = [
    ['seconds', { 'retry-after': '5' }, 5000],
    ['zero seconds', { 'retry-after': '0' }, 0],
    ['seconds with spaces', { 'retry-after': ' 2 ' }, 2000],
    ['an HTTP date 30 s ahead', { 'retry-after': 'Wed, 25 Nov 2026 10:00:30 GMT' }, 30_000],
    ['an HTTP date in the past', { 'retry-after': 'Wed, 25 Nov 2026 09:59:00 GMT' }, 0],
    ['an RFC 850 date', { 'retry-after': 'Wednesday, 25-Nov-26 10:00:10 GMT' }, 10_000],
    ['an asctime date', { 'retry-after': 'Wed Nov 25 10:00:20 2026' }, 20_000],
    ['garbage', { 'retry-after': 'soon' }, undefined],
    ['a negative number', { 'retry-after': '-3' }, undefined],
    ['retry-after-ms', { 'retry-after-ms': '250' }, 250],
    ['retry-after-ms before retry-after', { 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    ['invalid retry-after-ms falls back', { 'retry-after-ms': 'x', 'retry-after': '1' }, 1000],
    ['upper case keys', { 'Retry-After': '3' }, 3000],
    ['mixed case retry-after-ms', { 'Retry-After-Ms': '40' }, 40],
    ['no header', { 'content-type': 'text/plain' }, undefined],
  ];

  it.each(headerTable)('%s on error.headers (plain object)', (_label, headers, expected) => {
    expect(retryAfterMs(withProps({ headers }), clock)).toBe(expected);
  });
  it.each(headerTable)('%s on error.response.headers (Headers)', (_label, headers, expected) => {
    expect(retryAfterMs(withProps({ response: { headers: new Headers(headers) } }), clock)).toBe(
      expected,
    );
  });
  it.each(headerTable)('%s on a thrown Response', (_label, headers, expected) => {
    expect(retryAfterMs(new Response(null, { status: 429, headers }), clock)).toBe(expected);
  });

  it('reads error.retryAfterMs first', () => {
    const error = withProps({ retryAfterMs: 1200, headers: { 'retry-after': '9' } });
    expect(retryAfterMs(error, clock)).toBe(1200);
    expect(retryAfterMs(new RateLimitError('slow down', { retryAfterMs: 700 }))).toBe(700);
    expect(retryAfterMs(new CircuitOpenError('db', 'open', 4000))).toBe(4000);
  });

  it('ignores an invalid retryAfterMs and reads the headers', () => {
    const error = withProps({ retryAfterMs: Number.NaN, headers: { 'retry-after': '1' } });
    expect(retryAfterMs(error, clock)).toBe(1000);
    expect(retryAfterMs(new CircuitOpenError('db', 'isolated', undefined))).toBeUndefined();
  });

  it('accepts numbers and arrays as plain header values', () => {
    expect(retryAfterMs(withProps({ headers: { 'retry-after': 2 } }), clock)).toBe(2000);
    expect(retryAfterMs(withProps({ headers: { 'retry-after': ['4', '8'] } }), clock)).toBe(4000);
  });

  it('searches the cause chain', () => {
    const inner = withProps({ headers: { 'retry-after': '6' } });
    expect(retryAfterMs(new Error('wrapped', { cause: inner }), clock)).toBe(6000);
  });

  it('is undefined for anything without a hint', () => {
    expect(retryAfterMs(new Error('x'))).toBeUndefined();
    expect(retryAfterMs('string')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('uses the system clock by default for HTTP dates', () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const ms = retryAfterMs(withProps({ headers: { 'retry-after': inAMinute } }));
    expect(ms).toBeGreaterThan(58_000);
    expect(ms).toBeLessThanOrEqual(60_000);
  });
});
