import type { ConfigProblem } from '../errors/index.js';
import { isPlainObject } from '../plain-object.js';

const problem = (path: string, value: unknown, expected: string): ConfigProblem => ({
  path,
  message: `${path} must be ${expected}, got ${Array.isArray(value) ? 'an array' : typeof value}`,
  value,
  expected,
});

/**
 * The outline a configuration needs before its layers can be built: objects where objects
 * go. The node layer's schema checks every option; this keeps a core-only user (no
 * `validate` hook) from installing a configuration the orchestrator cannot even read.
 */
export function shapeProblems(config: unknown): ConfigProblem[] {
  if (!isPlainObject(config)) return [problem('(root)', config, 'an object')];
  const problems: ConfigProblem[] = [];
  const { defaults, operations } = config;
  if (defaults !== undefined && !isPlainObject(defaults)) {
    problems.push(problem('defaults', defaults, 'an object'));
  }
  if (!isPlainObject(operations)) {
    problems.push(problem('operations', operations, 'an object of operation settings'));
  } else {
    for (const [name, settings] of Object.entries(operations)) {
      if (!isPlainObject(settings)) {
        problems.push(problem(`operations.${name}`, settings, 'an object'));
      }
    }
  }
  return problems;
}
