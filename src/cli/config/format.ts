import type { ConfigProblem } from '../../core/errors/index.js';

/** A value as the user would write it in a config file. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(nothing)';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'function') return '(a function)';
  try {
    return JSON.stringify(value);
  } catch {
    return '(unprintable)';
  }
}

/** One problem per block: where, what is wrong (with the suggestion), the bad value, what was expected. */
export function formatProblems(problems: readonly ConfigProblem[], marker = '✗'): string {
  return problems
    .map((p) => {
      const lines = [
        `${marker} ${p.path === '' ? '(file)' : p.path}: ${p.message}`,
        `    value:    ${showValue(p.value)}`,
        `    expected: ${p.expected}`,
      ];
      return lines.join('\n');
    })
    .join('\n');
}
