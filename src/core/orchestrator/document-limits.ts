import type { ConfigProblem } from '../errors/index.js';

/**
 * Limits on a configuration document, checked before anything walks it recursively (merges,
 * the schema, the security rules): a document from a file, an env var or the network must
 * not exhaust the stack or the memory, nor reach an object's prototype.
 */
export const DOCUMENT_LIMITS = Object.freeze({
  /** Objects and arrays nested in one another. */
  maxDepth: 32,
  /** Values in the whole document, each alias of a shared node counted again. */
  maxValues: 10_000,
  /** Characters in one key. */
  maxKeyLength: 256,
  /** Characters in one string value. */
  maxStringLength: 65_536,
});

/** Keys that reach a prototype when assigned (`obj[key] = …`) or read (`obj[key]`). */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether `key` is a name no configuration may use: it could reach an object's prototype. */
export const isReservedKey = (key: string): boolean => RESERVED_KEYS.has(key);

/** Problems listed at most: past these, one more only says there are more. */
const MAX_PROBLEMS = 20;

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/**
 * A plain object or an array: what a document is made of. Class instances (a backoff made
 * by `exponential()`, an error class) and functions are values, not walked into.
 */
function container(value: unknown): 'object' | 'array' | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) return 'array';
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null ? 'object' : undefined;
}

/**
 * A prototype put there by the document itself (a parser that assigned `__proto__`): an
 * object that is neither plain nor made by a class.
 */
function hasForeignPrototype(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return false;
  return !Object.prototype.hasOwnProperty.call(proto, 'constructor');
}

const problem = (path: string, value: unknown, expected: string, message: string) => ({
  path: path === '' ? '(root)' : path,
  value,
  expected,
  message,
});

const tooLarge = (root: string): ConfigProblem =>
  problem(
    root,
    undefined,
    `at most ${DOCUMENT_LIMITS.maxValues} values`,
    `document too large: more than ${DOCUMENT_LIMITS.maxValues} values (an alias counts each time it is used)`,
  );

/**
 * Every way `document` exceeds the limits or uses a reserved key, found without recursion
 * and in bounded time (the walk stops after `maxValues` values, so an alias bomb costs no
 * more than a document of that size).
 */
export function documentProblems(document: unknown, root = ''): ConfigProblem[] {
  const limits = DOCUMENT_LIMITS;
  const problems: ConfigProblem[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: document, path: root, depth: 0 },
  ];
  let seen = 1;
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string' && value.length > limits.maxStringLength) {
      problems.push(
        problem(
          path,
          `${value.slice(0, 32)}…`,
          `a string of at most ${limits.maxStringLength} characters`,
          `string too long: ${value.length} characters, at most ${limits.maxStringLength}`,
        ),
      );
      continue;
    }
    if (hasForeignPrototype(value)) {
      problems.push(
        problem(path, '__proto__', 'no __proto__ key', 'reserved key __proto__ refused'),
      );
      continue;
    }
    const kind = container(value);
    if (kind === undefined) continue;
    if (depth >= limits.maxDepth) {
      problems.push(
        problem(
          path,
          undefined,
          `at most ${limits.maxDepth} levels of nesting`,
          `nested too deeply: more than ${limits.maxDepth} levels`,
        ),
      );
      continue;
    }
    // An array's length is known before its keys are made: a huge one costs nothing.
    if (kind === 'array') seen += (value as unknown[]).length;
    const keys = seen > limits.maxValues ? [] : Object.keys(value as object);
    if (kind === 'object') seen += keys.length;
    if (seen > limits.maxValues) {
      problems.push(tooLarge(root));
      break;
    }
    for (const key of keys) {
      if (kind === 'object' && key.length > limits.maxKeyLength) {
        problems.push(
          problem(
            join(path, `${key.slice(0, 32)}…`),
            `${key.slice(0, 32)}…`,
            `a key of at most ${limits.maxKeyLength} characters`,
            `key too long: ${key.length} characters, at most ${limits.maxKeyLength}`,
          ),
        );
        continue;
      }
      if (kind === 'object' && isReservedKey(key)) {
        problems.push(
          problem(
            join(path, key),
            key,
            'a key other than __proto__, constructor or prototype',
            `reserved key ${key} refused: it could reach an object's prototype`,
          ),
        );
        continue;
      }
      const child: unknown = (value as Record<string, unknown>)[key];
      stack.push({ value: child, path: join(path, key), depth: depth + 1 });
    }
  }
  return problems;
}
