import fc from 'fast-check';

/**
 * Generated cases per property: a quick profile in `npm test`, the full run (`npm run fuzz`,
 * or BREAKWATER_FUZZ_RUNS) for ≥ 10,000 cases in all. BREAKWATER_FUZZ_SEED replays a failure.
 */
export const FUZZ_RUNS = Number(process.env['BREAKWATER_FUZZ_RUNS'] ?? '') || 40;
export const FUZZ_SEED = Number(process.env['BREAKWATER_FUZZ_SEED'] ?? '') || 20_261_202;

export const fuzzParameters = { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true } as const;

/** Keys a careless or malicious document uses: settings, typos and prototype names. */
export const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
  fc.constantFrom(
    'preset',
    'defaults',
    'operations',
    'strategy',
    'retry',
    'maxAttempts',
    'backoff',
    'kind',
    'initialMs',
    'maxMs',
    'circuitBreaker',
    'trip',
    'threshold',
    'openMs',
    'halfOpen',
    'timeout',
    'ms',
    'bulkhead',
    'maxConcurrent',
    'maxQueue',
    'rateLimit',
    'rate',
    'burst',
    'window',
    'size',
  ),
  fc.string({ maxLength: 12 }),
);

/** Numbers at and past every edge a policy has. */
export const hostileNumber = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Infinity,
    -Infinity,
    0,
    -0,
    -1,
    0.5,
    1,
    1.5,
    2,
    3,
    100,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    1e12,
    1e300,
    1e308,
    Number.MIN_VALUE,
  ),
  fc.integer({ min: -5, max: 5_000 }),
  fc.double(),
);

/** A leaf value of any kind, mostly wrong. */
export const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  hostileNumber,
  fc.constantFrom(null, undefined, true, false, '', 'balanced', 'exponential', 'consecutive'),
  fc.constantFrom('count', 'time', 'failure-rate', 'production', 'aggressive', 'x'.repeat(300)),
  fc.string({ maxLength: 16 }),
  fc.constant(() => 0),
  fc.constant(() => {
    throw new Error('callback threw');
  }),
  fc.constant(Symbol('odd')),
);

/** A document tree of hostile keys and values. */
export const hostileTree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileLeaf,
    fc.dictionary(hostileKey, tie('node'), { maxKeys: 5 }),
    fc.array(tie('node'), { maxLength: 3 }),
  ),
})).node;

/** An options object for a factory: its own option names, given hostile values (sometimes trees). */
export const optionsFor = (names: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.dictionary(fc.constantFrom(...names), fc.oneof(hostileLeaf, hostileTree), {
        maxKeys: names.length,
      }),
    },
    { weight: 1, arbitrary: hostileLeaf },
  );
