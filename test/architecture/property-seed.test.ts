import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('property tests', () => {
  it('run from one configured seed, so a failing run reproduces', () => {
    const seed = fc.readConfigureGlobal().seed;
    expect(Number.isSafeInteger(seed)).toBe(true);
    const draw = () => fc.sample(fc.array(fc.integer()), 5);
    expect(draw()).toEqual(draw());
  });
});
