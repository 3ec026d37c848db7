import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composePatches, mergePatch } from '../../src/core/orchestrator/layered-config.js';

/** Small JSON trees over few keys, so patches often touch the same paths. */
const tree = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, false, 1, 'x'),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
  ),
})).value;
const patch = fc.dictionary(fc.constantFrom('a', 'b', 'c'), tree, { maxKeys: 3 });

describe('composed configuration patches', () => {
  it('two patches composed do what applying them in turn does, on any base (property)', () => {
    fc.assert(
      fc.property(patch, patch, patch, patch, (base, first, second, third) => {
        const inTurn = mergePatch(mergePatch(mergePatch(base, first), second), third);
        const composed = composePatches(composePatches(first, second), third);
        expect(mergePatch(base, composed)).toEqual(inTurn);
      }),
      { numRuns: 2_000 },
    );
  });

  it('an object laid where an earlier patch removed a value replaces the base’s value', () => {
    const composed = composePatches({ retry: false }, { retry: { maxAttempts: 2 } });
    expect(mergePatch({ retry: { maxAttempts: 5, backoff: 'x' } }, composed)).toEqual({
      retry: { maxAttempts: 2 },
    });
  });
});
