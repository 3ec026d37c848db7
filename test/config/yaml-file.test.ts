import { describe, expect, it } from 'vitest';
import { isConfigError } from '../../src/core/errors/index.js';
import { MAX_CONFIG_CHARS, MAX_YAML_ALIASES, parseConfigText } from '../../src/node/config/file.js';

function problem(text: string): string {
  try {
    parseConfigText(text, 'resilience.yaml');
  } catch (error) {
    if (isConfigError(error)) return error.problems.map((p) => p.message).join('\n');
    throw error;
  }
  throw new Error('parsed without a problem');
}

describe('configuration files in YAML', () => {
  it("reads the README's style: block mappings with flow mappings inside", () => {
    const text = [
      'preset: production # simple | development | production',
      'defaults:',
      '  timeout: 10000',
      'operations:',
      '  summarize:',
      '    strategy: conservative',
      '    retry:',
      '      { maxAttempts: 4, backoff: { kind: exponential, initialMs: 500, maxMs: 8000, jitter: 0.1 } }',
      '  sentiment:',
      '    circuitBreaker: { trip: { kind: consecutive, threshold: 3 }, openMs: 15000 }',
    ].join('\n');
    expect(parseConfigText(text, 'resilience.yaml')).toEqual({
      preset: 'production',
      defaults: { timeout: 10_000 },
      operations: {
        summarize: {
          strategy: 'conservative',
          retry: {
            maxAttempts: 4,
            backoff: { kind: 'exponential', initialMs: 500, maxMs: 8000, jitter: 0.1 },
          },
        },
        sentiment: {
          circuitBreaker: { trip: { kind: 'consecutive', threshold: 3 }, openMs: 15_000 },
        },
      },
    });
  });

  it('an empty or comment-only file is an empty configuration', () => {
    expect(parseConfigText('', 'a.yaml')).toEqual({});
    expect(parseConfigText('# nothing yet\n', 'a.yaml')).toEqual({});
  });

  it('shares a block through an anchor', () => {
    const text = 'x: &t { ms: 100 }\noperations:\n  a: { timeout: *t }\n  b: { timeout: *t }\n';
    expect(parseConfigText(text, 'a.yaml')).toEqual({
      x: { ms: 100 },
      operations: { a: { timeout: { ms: 100 } }, b: { timeout: { ms: 100 } } },
    });
  });

  it('refuses a "billion laughs" file before anything walks it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) {
      const previous = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    expect(problem(levels.join('\n'))).toMatch(/expands to more than 100000 values/);
    const manyAliases = [
      'a: &a [1]',
      `b: [${Array(MAX_YAML_ALIASES + 1)
        .fill('*a')
        .join(', ')}]`,
    ];
    expect(problem(manyAliases.join('\n'))).toMatch(
      new RegExp(`more than ${MAX_YAML_ALIASES} YAML aliases`),
    );
  });

  it('refuses code-running tags, several documents, deep nesting and huge files', () => {
    expect(problem('a: !!js/function "function () {}"')).toMatch(/not valid YAML: unknown tag/);
    expect(problem('a: 1\n---\nb: 2\n')).toMatch(/holds 2 YAML documents/);
    expect(problem(`${'['.repeat(40)}${']'.repeat(40)}`)).toMatch(
      /nested too deeply to parse \(at most 32 levels\)/,
    );
    expect(problem(`a: "${'x'.repeat(MAX_CONFIG_CHARS)}"`)).toMatch(/more than 1048576/);
  });

  it('says where a syntax error is', () => {
    expect(problem('operations:\n  qa: { timeout: 1\n')).toMatch(
      /not valid YAML: .* at line \d+, column \d+/,
    );
  });
});
