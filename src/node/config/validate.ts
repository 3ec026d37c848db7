import { ConfigError, type ConfigProblem } from '../../core/errors/index.js';
import type { Environment } from './environment.js';
import { problemsFromIssues } from './problems.js';
import { configSchema, type ConfigData } from './schema.js';
import { checkSecurity } from './security.js';
import { constructionProblems } from './construct.js';
import { documentProblems } from '../../core/orchestrator/document-limits.js';

export interface ValidateOptions {
  /** The environment the configuration is for; `production` tightens the security rules. */
  readonly environment?: Environment;
}

export type ValidationResult =
  | {
      readonly valid: true;
      readonly config: ConfigData;
      readonly problems: readonly [];
      readonly warnings: readonly ConfigProblem[];
    }
  | {
      readonly valid: false;
      readonly problems: readonly ConfigProblem[];
      readonly warnings: readonly ConfigProblem[];
    };

const isProduction = (input: unknown, options: ValidateOptions): boolean =>
  options.environment === 'production' ||
  (typeof input === 'object' &&
    input !== null &&
    (input as { preset?: unknown }).preset === 'production');

/** Problems grouped by where they are (a stable sort keeps each path's order). */
export const byPath = (problems: readonly ConfigProblem[]): ConfigProblem[] =>
  [...problems].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

/**
 * Validates a configuration completely: the schema (shape, types, ranges, misspelt keys)
 * and the security rules, every problem at once. A security finding on a path replaces
 * the schema's plainer complaint about the same value, since it says why.
 */
export function validateConfig(input: unknown, options: ValidateOptions = {}): ValidationResult {
  // Nothing below walks a document that is too big, too deep or aimed at a prototype.
  const hostile = documentProblems(input);
  if (hostile.length > 0) return { valid: false, problems: hostile, warnings: [] };
  const parsed = configSchema.safeParse(input, { reportInput: true });
  const security = checkSecurity(input, { production: isProduction(input, options) });
  const securedPaths = new Set(security.errors.map((p) => p.path));
  const schemaProblems = parsed.success
    ? []
    : problemsFromIssues(parsed.error.issues, input, configSchema).filter(
        (p) => !securedPaths.has(p.path),
      );
  const problems = byPath([...schemaProblems, ...security.errors]);
  if (parsed.success && problems.length === 0) {
    // What validates must also construct: the policies' own checks, as `wrap` runs them.
    const built = constructionProblems({
      ...parsed.data,
      operations: parsed.data.operations ?? {},
    });
    if (built.length > 0) {
      return { valid: false, problems: byPath(built), warnings: byPath(security.warnings) };
    }
    return { valid: true, config: parsed.data, problems: [], warnings: byPath(security.warnings) };
  }
  return { valid: false, problems, warnings: byPath(security.warnings) };
}

/** The validated configuration, or a `ConfigError` listing every problem. */
export function assertValidConfig(input: unknown, options: ValidateOptions = {}): ConfigData {
  const result = validateConfig(input, options);
  if (!result.valid) throw new ConfigError(result.problems);
  return result.config;
}

/** A `validate` hook for `createResilience`, checking updates for the given environment. */
export function createValidator(
  options: ValidateOptions = {},
): (config: unknown) => ConfigProblem[] {
  return (config) => [...validateConfig(config, options).problems];
}

/**
 * The default hook: schema and security rules, with the production rules when the
 * configuration's preset is `production`.
 */
export const validate: (config: unknown) => ConfigProblem[] = createValidator();
