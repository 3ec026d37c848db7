import { describe, expect, it } from 'vitest';
import {
  classify,
  createClassifier,
  isTransient,
  type Classification,
} from '../../src/core/classification/index.js';
import {
  BulkheadRejectedError,
  CircuitOpenError,
  ConfigError,
  PermanentError,
  RateLimitError,
  RateLimiterRejectedError,
  RetryExhaustedError,
  ServiceUnavailableError,
  TimeoutError,
  TransientError,
} from '../../src/core/errors/index.js';

function withProps(props: Record<string, unknown>, name = 'Error'): Error {
  const error = new Error('boom');
  Object.assign(error, props);
  if (name !== 'Error') Object.defineProperty(error, 'name', { value: name });
  return error;
}

function named(name: string): Error {
  return withProps({}, name);
}

describe('classify by HTTP status', () => {
  const table: [number, Classification][] = [
    [408, 'transient'],
    [425, 'transient'],
    [429, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [529, 'transient'],
    [507, 'transient'],
    [520, 'transient'],
    [400, 'permanent'],
    [401, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [409, 'permanent'],
    [422, 'permanent'],
    [451, 'permanent'],
    [501, 'permanent'],
    [505, 'permanent'],
  ];

  it.each(table)('status %i on error.status is %s', (status, expected) => {
    expect(classify(withProps({ status }))).toBe(expected);
  });
  it.each(table)('status %i on error.statusCode is %s', (status, expected) => {
    expect(classify(withProps({ statusCode: status }))).toBe(expected);
  });
  it.each(table)('status %i on error.response.status is %s', (status, expected) => {
    expect(classify(withProps({ response: { status } }))).toBe(expected);
  });
  it.each(table)('a thrown Response with status %i is %s', (status, expected) => {
    expect(classify(new Response(null, { status }))).toBe(expected);
  });

  it('ignores statuses that are not failures or not statuses at all', () => {
    const strict = createClassifier({ unknown: 'permanent' });
    expect(strict.classify(withProps({ status: 200 }))).toBe('permanent');
    expect(strict.classify(withProps({ status: '503' }))).toBe('permanent');
    expect(strict.classify(withProps({ status: 42 }))).toBe('permanent');
    expect(classify(withProps({ status: 200 }))).toBe('transient');
  });
});

describe('classify by network code', () => {
  const transientCodes = [
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
  ];
  const strict = createClassifier({ unknown: 'permanent' });

  it.each(transientCodes)('%s is transient', (code) => {
    expect(strict.classify(withProps({ code }))).toBe('transient');
  });

  it.each(transientCodes)('%s is transient in a cause chain (fetch failed → cause)', (code) => {
    const fetchFailed = new TypeError('fetch failed', { cause: withProps({ code }) });
    expect(strict.classify(fetchFailed)).toBe('transient');
    const deeper = new Error('outer', { cause: new Error('middle', { cause: fetchFailed }) });
    expect(strict.classify(deeper)).toBe('transient');
  });

  it('ENOTFOUND (the name does not exist) is permanent, and can be made transient', () => {
    const error = withProps({ code: 'ENOTFOUND' });
    expect(classify(error)).toBe('permanent');
    expect(classify(new TypeError('fetch failed', { cause: error }))).toBe('permanent');
    expect(createClassifier({ transient: ['ENOTFOUND'] }).classify(error)).toBe('transient');
  });

  it.each(['ERR_INVALID_URL', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID'])(
    '%s (no retry fixes it) is permanent',
    (code) => {
      expect(classify(withProps({ code }))).toBe('permanent');
    },
  );

  it("undici's abort code is permanent", () => {
    expect(classify(withProps({ code: 'UND_ERR_ABORTED' }))).toBe('permanent');
  });

  it('a cyclic cause chain ends at the unknown default', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(classify(a)).toBe('transient');
    expect(strict.classify(a)).toBe('permanent');
  });
});

describe('classify by name: timeouts, aborts, SDK errors', () => {
  const table: [string, Classification][] = [
    ['RateLimitError', 'transient'],
    ['APITimeoutError', 'transient'],
    ['APIConnectionError', 'transient'],
    ['APIConnectionTimeoutError', 'transient'],
    ['InternalServerError', 'transient'],
    ['OverloadedError', 'transient'],
    ['TimeoutError', 'transient'],
    ['AbortError', 'permanent'],
    ['APIUserAbortError', 'permanent'],
  ];
  const strict = createClassifier({ unknown: 'permanent' });

  it.each(table)('%s is %s', (name, expected) => {
    expect(strict.classify(named(name))).toBe(expected);
  });

  it('an SDK error with a 4xx status is permanent by its status', () => {
    expect(classify(withProps({ status: 401 }, 'AuthenticationError'))).toBe('permanent');
    expect(classify(withProps({ status: 400 }, 'BadRequestError'))).toBe('permanent');
  });

  it("the platform's DOMExceptions: AbortSignal.timeout() is transient, abort() permanent", () => {
    expect(classify(new DOMException('timed out', 'TimeoutError'))).toBe('transient');
    expect(classify(new DOMException('aborted', 'AbortError'))).toBe('permanent');
    const controller = new AbortController();
    controller.abort();
    expect(classify(controller.signal.reason)).toBe('permanent');
  });

  it("once the given signal has aborted, any failure is the caller's and permanent", () => {
    const controller = new AbortController();
    const reason = withProps({ code: 'ECONNRESET' });
    controller.abort(reason);
    expect(classify(reason)).toBe('transient');
    expect(classify(reason, { signal: controller.signal })).toBe('permanent');
    expect(isTransient(reason, { signal: controller.signal })).toBe(false);
    // Clients wrap the reason in errors of their own: the abort decides, not the error.
    expect(classify(withProps({ code: 'ECONNRESET' }), { signal: controller.signal })).toBe(
      'permanent',
    );
    expect(
      classify(withProps({ code: 'ECONNRESET' }), { signal: new AbortController().signal }),
    ).toBe('transient');
  });
});

describe("classify breakwater's own errors", () => {
  const strict = createClassifier({ unknown: 'permanent' });
  const lenient = createClassifier();
  const table: [string, unknown, Classification][] = [
    ['TransientError', new TransientError('x'), 'transient'],
    ['PermanentError', new PermanentError('x'), 'permanent'],
    ['RateLimitError', new RateLimitError(), 'transient'],
    ['ServiceUnavailableError', new ServiceUnavailableError('x'), 'transient'],
    ['TimeoutError', new TimeoutError(100), 'transient'],
    ['CircuitOpenError', new CircuitOpenError('db', 'open', 10), 'transient'],
    ['BulkheadRejectedError', new BulkheadRejectedError(1, 0), 'transient'],
    ['RateLimiterRejectedError', new RateLimiterRejectedError(5), 'transient'],
    ['ConfigError', new ConfigError([]), 'permanent'],
  ];
  it.each(table)('%s is %s', (_name, error, expected) => {
    expect(strict.classify(error)).toBe(expected);
    expect(lenient.classify(error)).toBe(expected);
  });

  it('a PermanentError wins over the transient status of its cause', () => {
    const error = new PermanentError('bad input', { cause: withProps({ status: 503 }) });
    expect(classify(error)).toBe('permanent');
  });

  it('a RetryExhaustedError is classified by the last error it wraps', () => {
    expect(classify(new RetryExhaustedError(3, [withProps({ status: 404 })]))).toBe('permanent');
    expect(classify(new RetryExhaustedError(3, [withProps({ status: 503 })]))).toBe('transient');
  });
});

describe('unknown errors and configuration', () => {
  it('anything unknown is transient by default (seed 000)', () => {
    expect(classify(new Error('generic'))).toBe('transient');
    expect(classify('a string')).toBe('transient');
    expect(classify(undefined)).toBe('transient');
    expect(isTransient(new TypeError('x'))).toBe(true);
  });

  it('unknown can be made permanent', () => {
    const strict = createClassifier({ unknown: 'permanent' });
    expect(strict.classify(new Error('generic'))).toBe('permanent');
    expect(strict.isTransient(null)).toBe(false);
    expect(strict.classify(withProps({ status: 503 }))).toBe('transient');
  });

  it('user rules come before built-in rules; permanent before transient', () => {
    class QuotaExceeded extends Error {}
    class DeadlockError extends Error {}
    const custom = createClassifier({
      permanent: [QuotaExceeded, 503, (e) => (e as { fatal?: boolean }).fatal === true],
      transient: [DeadlockError, 409, 'EBUSY', QuotaExceeded],
    });
    expect(custom.classify(new QuotaExceeded())).toBe('permanent');
    expect(custom.classify(new DeadlockError())).toBe('transient');
    expect(custom.classify(withProps({ status: 503 }))).toBe('permanent');
    expect(custom.classify(withProps({ status: 409 }))).toBe('transient');
    expect(custom.classify(withProps({ code: 'EBUSY' }))).toBe('transient');
    expect(custom.classify(withProps({ fatal: true, code: 'ECONNRESET' }))).toBe('permanent');
    expect(custom.classify(new Error('wrapped', { cause: new DeadlockError() }))).toBe('transient');
  });

  it('rejects invalid options with a message naming the option and value', () => {
    expect(() => createClassifier({ unknown: 'maybe' as never })).toThrow(
      /classifier: unknown must be one of 'transient', 'permanent', got "maybe"/,
    );
    expect(() => createClassifier({ transient: [700] })).toThrow(RangeError);
    expect(() => createClassifier({ transient: [700] })).toThrow(/transient\[0\].*got 700/);
    expect(() => createClassifier({ permanent: [{} as never] })).toThrow(TypeError);
    expect(() => createClassifier({ permanent: 'ENOTFOUND' as never })).toThrow(
      /permanent must be an array/,
    );
  });
});

describe('classify by the error’s own class, and the common clients’ shapes', () => {
  // Classes as SDKs write them: `name` never set, so every instance is named 'Error'.
  class APIUserAbortError extends Error {}
  class APIConnectionTimeoutError extends Error {}
  class AbortError extends Error {}
  class MaxRetriesPerRequestError extends AbortError {}

  it('reads the name of the class that made the error, not of one it inherits from', () => {
    expect(new APIUserAbortError('aborted').name).toBe('Error');
    expect(classify(new APIUserAbortError('aborted'))).toBe('permanent');
    const strict = createClassifier({ unknown: 'permanent' });
    expect(strict.classify(new APIConnectionTimeoutError('timed out'))).toBe('transient');
    expect(classify(new AbortError('x'))).toBe('permanent');
    expect(classify(new MaxRetriesPerRequestError('gave up'))).toBe('transient');
    expect(strict.classify(new MaxRetriesPerRequestError('gave up'))).toBe('transient');
    // A matcher string matches the class name too.
    const custom = createClassifier({ permanent: ['MaxRetriesPerRequestError'] });
    expect(custom.classify(new MaxRetriesPerRequestError('gave up'))).toBe('permanent');
  });

  it("axios's cancel, got's response.statusCode", () => {
    expect(classify(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }))).toBe(
      'permanent',
    );
    expect(classify({ response: { statusCode: 404 } })).toBe('permanent');
    expect(classify({ response: { statusCode: 503 } })).toBe('transient');
  });
});
