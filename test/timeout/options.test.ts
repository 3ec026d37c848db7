import { describe, expect, it } from 'vitest';
import { timeout, type TimeoutOptions } from '../../src/core/index.js';

describe('timeout options', () => {
  it.each([
    [0, RangeError, 'timeout: ms must be a number > 0 and ≤ 2147483647, got 0'],
    [-5, RangeError, 'got -5'],
    [Number.NaN, RangeError, 'got NaN'],
    [Number.POSITIVE_INFINITY, RangeError, 'got Infinity'],
    [2_147_483_648, RangeError, 'got 2147483648'],
    [{ ms: '100' }, TypeError, 'timeout: ms must be a number > 0 and ≤ 2147483647, got "100"'],
    [{}, TypeError, 'ms must be a number > 0 and ≤ 2147483647, got undefined'],
    [
      { ms: 100, mode: 'eager' },
      TypeError,
      "timeout: mode must be 'cooperative' or 'aggressive', got \"eager\"",
    ],
    [{ ms: 100, clock: {} }, TypeError, 'timeout: clock must be an object with a now() method'],
    [
      null,
      TypeError,
      'timeout: options must be a number of milliseconds or { ms, mode?, clock? }, got null',
    ],
    [[100], TypeError, 'got an array'],
  ])('rejects %j with a %o naming the option and the value', (options, kind, message) => {
    const build = (): unknown => timeout(options as TimeoutOptions);
    expect(build).toThrow(kind);
    expect(build).toThrow(message);
  });

  it('accepts a number or an options object', () => {
    expect(timeout(250)).toMatchObject({ ms: 250, mode: 'cooperative' });
    expect(timeout({ ms: 0.5, mode: 'aggressive', clock: { now: () => 0 } })).toMatchObject({
      ms: 0.5,
      mode: 'aggressive',
    });
  });
});
