import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/node/config/validate.js';

const problemsOf = (input: unknown) => validateConfig(input).problems;

describe('the stream key in operation config (SPEC §9)', () => {
  it('accepts deadlines, and false to turn them off', () => {
    expect(
      problemsOf({
        defaults: { stream: { firstChunkMs: 5_000, idleMs: 10_000 } },
        operations: { chat: { stream: { idleMs: 2_000 } }, batch: { stream: false } },
      }),
    ).toEqual([]);
  });

  it('rejects a non-positive deadline and an unknown field, naming the path', () => {
    const problems = problemsOf({
      operations: { chat: { stream: { firstChunkMs: 0, isComplete: 'finish_reason' } } },
    });
    const paths = problems.map((problem) => problem.path);
    expect(paths).toContain('operations.chat.stream.firstChunkMs');
    expect(paths.some((path) => path.startsWith('operations.chat.stream'))).toBe(true);
    expect(problems.length).toBeGreaterThanOrEqual(2);
  });
});
