import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseSimpleYaml } from '../../src/node/config/fast-yaml.js';

let accepted = 0;

/** The fast path either declines or agrees exactly with the full parser. */
function agrees(text: string): boolean {
  const fast = parseSimpleYaml(text);
  if (fast === undefined) return true;
  accepted++;
  let full: unknown;
  try {
    full = parse(text, { uniqueKeys: true, logLevel: 'error' });
  } catch {
    return false;
  }
  expect(fast, text).toEqual(full);
  return true;
}

describe('the fast YAML path', () => {
  it('reads a typical configuration file', () => {
    const text = `# resilience settings
preset: production   # for the cluster
defaults:
  timeout: 8000
  retry: { maxAttempts: 3, backoff: { kind: exponential, initialMs: 250, jitter: 0.1 } }
operations:
  summarize:
    strategy: "conservative"
    circuitBreaker:
      openMs: 60000
      trip: { kind: failure-rate, threshold: 0.5, window: { kind: count, size: 100 } }
    fallback:
  qa:
    bulkhead: { maxConcurrent: 4, maxQueue: .inf }
    retry: false
    rateLimit: { rate: 1e2, burst: -3, intervalMs: +1000 }
    names: ['a', "b\\"c", 'it''s']
`;
    expect(parseSimpleYaml(text)).toEqual(parse(text));
    expect(parseSimpleYaml(text)).toMatchObject({
      operations: { qa: { bulkhead: { maxQueue: Infinity } } },
    });
  });

  it.each([
    ['anchors', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['block scalars', 'a: |\n  text\n'],
    ['block sequences', 'a:\n  - 1\n'],
    ['multi-line flows', 'a: { b: 1,\n  c: 2 }\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['directives', '%YAML 1.2\n---\na: 1\n'],
    ['hex numbers', 'a: 0x1F\n'],
    ['strings with spaces', 'a: two words\n'],
    ['numeric keys', '1.0: x\n'],
    ['tabs', 'a:\n\tb: 1\n'],
    ['an empty document', ''],
    ['a top-level list', '- 1\n'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
  ])('declines %s, leaving them to the full parser', (_name, text) => {
    expect(parseSimpleYaml(text)).toBeUndefined();
  });

  const key = fc.oneof(
    fc.constantFrom('retry', 'maxAttempts', 'key_points', 'a-b', 'x.y', 'true', 'null', '1', 'on'),
    fc.string({ maxLength: 6 }),
  );
  const scalar = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 10 }),
    fc.constantFrom(
      'exponential',
      'true',
      'yes',
      '1e3',
      '.inf',
      '0o7',
      '~',
      '007',
      '-0',
      'a#b',
      'a: b',
      "it's",
    ),
  );
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, fc.dictionary(key, tie('node'), { maxKeys: 4 })),
  })).node;

  it('agrees with yaml on documents yaml itself writes, in every style', () => {
    accepted = 0;
    fc.assert(
      fc.property(
        fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 }),
        fc.constantFrom(undefined, 'flow' as const),
        fc.constantFrom('PLAIN' as const, 'QUOTE_DOUBLE' as const, 'QUOTE_SINGLE' as const),
        (value, collectionStyle, defaultStringType) => {
          const text = stringify(value, {
            ...(collectionStyle ? { collectionStyle } : {}),
            defaultStringType,
          });
          agrees(text);
          agrees(text.replace(/\n/g, '  # note\n'));
        },
      ),
      { numRuns: 500 },
    );
    // Not a vacuous agreement: many of these documents take the fast path.
    expect(accepted).toBeGreaterThan(100);
  });

  it('agrees with yaml on arbitrary text, or declines', () => {
    const pieces = fc.constantFrom(
      'a',
      'b:',
      ': ',
      ' ',
      '  ',
      '\n',
      '{',
      '}',
      '[',
      ']',
      ',',
      '"',
      "'",
      '#',
      '1',
      '.5',
      '-',
      'true',
      'x_y',
      '\\',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        expect(agrees(parts.join(''))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
