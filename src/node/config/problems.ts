import type * as z from 'zod';
import type { ConfigProblem } from '../../core/errors/index.js';
import { closest } from './suggest.js';

type Path = readonly PropertyKey[];
type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/** `operations.summarize.retry.maxAttempts`; the root is the empty string. */
export function formatPath(path: Path): string {
  return path.map(String).join('.');
}

/** The value at `path` in `root`, or `undefined` when the path leads nowhere. */
export function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The keys an object schema accepts at `path`, looking through optionals, unions and records. */
function knownKeysAt(schema: Schema, path: Path): string[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return knownKeysAt(def['innerType'] as Schema, path);
    case 'union':
      return [
        ...new Set((def['options'] as Schema[]).flatMap((option) => knownKeysAt(option, path))),
      ];
    case 'record':
      return path.length === 0 ? [] : knownKeysAt(def['valueType'] as Schema, path.slice(1));
    case 'array':
      return path.length === 0 ? [] : knownKeysAt(def['element'] as Schema, path.slice(1));
    case 'object': {
      const shape = def['shape'] as Record<string, Schema>;
      if (path.length === 0) return Object.keys(shape);
      const child = shape[String(path[0])];
      return child === undefined ? [] : knownKeysAt(child, path.slice(1));
    }
    default:
      return [];
  }
}

const describeType: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  string: 'a string',
  object: 'an object',
  record: 'an object (a map of names)',
};

function bound(issue: {
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
}): string {
  if (issue.minimum !== undefined) return `${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`;
  return `${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === undefined) return 'nothing';
  if (typeof value === 'symbol') return value.toString();
  try {
    return JSON.stringify(value);
  } catch {
    return 'an unprintable value';
  }
}

function problem(
  path: Path,
  value: unknown,
  expected: string,
  message: string,
  suggestion?: string,
): ConfigProblem {
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return {
    path: formatPath(path),
    value,
    expected,
    message: `${message}${hint}`,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

/** A value outside a fixed list: names the list, and the closest entry when a string was meant. */
function notOneOf(path: Path, value: unknown, choices: readonly unknown[]): ConfigProblem {
  const allowed = choices.map(show).join(', ');
  const suggestion =
    typeof value === 'string'
      ? closest(
          value,
          choices.filter((v): v is string => typeof v === 'string'),
        )
      : undefined;
  return problem(
    path,
    value,
    `one of ${allowed}`,
    `got ${show(value)}, expected one of ${allowed}`,
    suggestion,
  );
}

/**
 * Picks the union branch the user evidently meant: the one whose errors lie deepest (an
 * object with a bad field beats "expected false"). Returns undefined when every branch
 * failed at the top, so the union is reported as one problem.
 */
function meantBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  let best: readonly Issue[] | undefined;
  let bestDepth = 0;
  for (const branch of branches) {
    const depth = Math.min(...branch.map(depthOf));
    if (depth > bestDepth) {
      best = branch;
      bestDepth = depth;
    }
  }
  return best;
}

/** How far into the value an issue lies; a union's issue lies as deep as its deepest branch. */
function depthOf(issue: Issue): number {
  if (issue.code === 'unrecognized_keys') return issue.path.length + 1;
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    return (
      issue.path.length +
      Math.max(...issue.errors.map((branch) => Math.min(...branch.map(depthOf))))
    );
  }
  return issue.path.length;
}

/** Turns zod's issues into breakwater's problems: path, bad value, expectation, suggestion. */
export function problemsFromIssues(
  issues: readonly Issue[],
  input: unknown,
  schema: Schema,
  prefix: Path = [],
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const value = valueAt(input, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path);
        for (const key of issue.keys) {
          out.push(
            problem(
              [...path, key],
              valueAt(input, [...path, key]),
              `one of the known keys: ${known.join(', ')}`,
              `unknown key "${key}"`,
              closest(key, known),
            ),
          );
        }
        break;
      }
      case 'invalid_value': {
        out.push(notOneOf(path, value, issue.values));
        break;
      }
      case 'invalid_union': {
        const discriminator = (issue as { discriminator?: string }).discriminator;
        const options = (issue as { options?: unknown[] }).options;
        if (discriminator !== undefined && options !== undefined) {
          out.push(notOneOf(path, value, options));
          break;
        }
        const branch = meantBranch(issue.errors);
        if (branch !== undefined) {
          out.push(...problemsFromIssues(branch, input, schema, path));
          break;
        }
        const expected = [
          ...new Set(issue.errors.flatMap((errors) => errors.map((e) => expectationOf(e)))),
        ].join(' or ');
        out.push(problem(path, value, expected, `got ${show(value)}, expected ${expected}`));
        break;
      }
      default: {
        const expected = expectationOf(issue);
        out.push(problem(path, value, expected, `got ${show(value)}, expected ${expected}`));
      }
    }
  }
  return out;
}

function expectationOf(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return describeType[issue.expected] ?? issue.expected;
    case 'too_small':
    case 'too_big': {
      const kind = issue.origin === 'number' ? 'a number' : `a ${issue.origin}`;
      return `${kind} ${bound(issue)}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? show(issue.values[0])
        : `one of ${issue.values.map(show).join(', ')}`;
    case 'invalid_key':
      return 'a non-empty name';
    case 'invalid_union':
      return [...new Set(issue.errors.flatMap((branch) => branch.map(expectationOf)))].join(' or ');
    default:
      return issue.message;
  }
}
