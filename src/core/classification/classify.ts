import { isErrorClass, type ErrorClass } from '../error-filter.js';
import { hasKind } from '../errors/base.js';
import { fail, failChoice, failRange } from '../option-checks.js';
import { PERMANENT_CODES, TRANSIENT_CODES } from './codes.js';
import { classifyByName, ownClassName } from './names.js';
import { classifyStatus, readStatus } from './status.js';
import type { Classification } from './types.js';

/**
 * What a classifier rule matches: an error class (`instanceof`), a predicate, a string (the
 * error's `name`, its own class's name or its `code`, e.g. `'ENOTFOUND'`) or a number (its HTTP status, e.g. `409`).
 * A function whose prototype descends from `Error.prototype` is taken as a class, any
 * other function as a predicate.
 */
export type ErrorMatcher = ErrorClass | ((error: unknown) => boolean) | string | number;

export interface ClassifierOptions {
  /** What an error that no rule recognises is. Default `'transient'` (an unknown failure may pass). */
  readonly unknown?: Classification;
  /** Errors to treat as transient, checked before the built-in rules. */
  readonly transient?: readonly ErrorMatcher[];
  /** Errors to treat as permanent, checked before the built-in rules and before `transient`. */
  readonly permanent?: readonly ErrorMatcher[];
}

export interface ClassifyOptions {
  /**
   * The caller's signal: once it has aborted, whatever failed is the caller's own decision
   * to stop (clients wrap its reason in errors of their own), so it is permanent.
   */
  readonly signal?: AbortSignal | undefined;
}

/** Its functions are free-standing (no `this`), so they can be passed around: `retryOn: c.isTransient`. */
export interface Classifier {
  readonly classify: (error: unknown, options?: ClassifyOptions) => Classification;
  readonly isTransient: (error: unknown, options?: ClassifyOptions) => boolean;
}

/** How deep `cause` chains are followed; a bound that also stops cycles. */
const MAX_CAUSE_DEPTH = 8;

/**
 * breakwater's transient kinds: its TransientError family, a timeout, and its own refusals
 * of a call that never ran (open circuit, full bulkhead, rate limit), which pass with time.
 * (Retry still skips the breaker's and bulkhead's refusals by default, SPEC §7.)
 */
const TRANSIENT_KINDS = [
  'TransientError',
  'TimeoutError',
  'CircuitOpenError',
  'BulkheadRejectedError',
  'RateLimiterRejectedError',
  'StreamInterruptedError',
] as const;
const PERMANENT_KINDS = ['PermanentError', 'ConfigError'] as const;

type Rule = (error: object) => boolean;

function toRule(matcher: ErrorMatcher, option: string, index: number): Rule {
  if (typeof matcher === 'string') {
    return (error) => {
      const shape = error as { name?: unknown; code?: unknown };
      return shape.name === matcher || shape.code === matcher || ownClassName(error) === matcher;
    };
  }
  if (typeof matcher === 'number') {
    if (!Number.isInteger(matcher) || matcher < 100 || matcher > 599) {
      failRange(
        'classifier',
        `${option}[${index}]`,
        'an HTTP status (an integer 100–599)',
        matcher,
      );
    }
    return (error) => readStatus(error) === matcher;
  }
  if (isErrorClass(matcher)) return (error) => error instanceof matcher;
  if (typeof matcher === 'function') return (error) => matcher(error);
  const expected = 'an error class, a predicate, a name or code string, or an HTTP status';
  return fail('classifier', `${option}[${index}]`, expected, matcher);
}

function toRules(matchers: readonly ErrorMatcher[] | undefined, option: string): readonly Rule[] {
  if (matchers === undefined) return [];
  const list: unknown = matchers;
  if (!Array.isArray(list)) {
    fail('classifier', option, 'an array of matchers', list);
  }
  return matchers.map((matcher, index) => toRule(matcher, option, index));
}

/** The built-in rules for one error of a cause chain; `undefined` when none applies. */
function classifyBuiltIn(error: object): Classification | undefined {
  for (const kind of PERMANENT_KINDS) if (hasKind(error, kind)) return 'permanent';
  for (const kind of TRANSIENT_KINDS) if (hasKind(error, kind)) return 'transient';
  const status = readStatus(error);
  const byStatus = status === undefined ? undefined : classifyStatus(status);
  if (byStatus !== undefined) return byStatus;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_CODES.has(code)) return 'transient';
    if (PERMANENT_CODES.has(code)) return 'permanent';
  }
  return classifyByName(error);
}

/**
 * Builds a classifier. For each error of the `cause` chain, outermost first: your
 * `permanent` rules, your `transient` rules, then the built-in rules (breakwater's error
 * kinds, HTTP status, network code, error name or own class name); the first that applies
 * decides. An error
 * no rule recognises is `unknown` (default transient).
 *
 * ```ts
 * const strict = createClassifier({ unknown: 'permanent', transient: [409, 'ENOTFOUND'] });
 * ```
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const unknown = options.unknown ?? 'transient';
  if (unknown !== 'transient' && unknown !== 'permanent') {
    failChoice('classifier', 'unknown', ['transient', 'permanent'], unknown);
  }
  const permanentRules = toRules(options.permanent, 'permanent');
  const transientRules = toRules(options.transient, 'transient');

  const classifyOne = (error: object): Classification | undefined => {
    for (const rule of permanentRules) if (rule(error)) return 'permanent';
    for (const rule of transientRules) if (rule(error)) return 'transient';
    return classifyBuiltIn(error);
  };

  const classify = (error: unknown, classifyOptions?: ClassifyOptions): Classification => {
    const signal = classifyOptions?.signal;
    if (signal?.aborted === true) return 'permanent';
    let current: unknown = error;
    for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
      if (typeof current !== 'object' || current === null) break;
      const decided = classifyOne(current);
      if (decided !== undefined) return decided;
      current = (current as { cause?: unknown }).cause;
    }
    return unknown;
  };

  return {
    classify,
    isTransient: (error, classifyOptions) => classify(error, classifyOptions) === 'transient',
  };
}

const defaultClassifier = createClassifier();

/**
 * Whether retrying may help: `'transient'` for timeouts, network failures, HTTP 408, 425,
 * 429, 5xx (but 501, 505), overload and rate limits, and anything unknown; `'permanent'` for
 * other 4xx, a caller's abort (and any failure once the `signal` given here has aborted), an
 * unknown host (`ENOTFOUND`), a bad URL or certificate, and
 * breakwater's `PermanentError`.
 */
export function classify(error: unknown, options?: ClassifyOptions): Classification {
  return defaultClassifier.classify(error, options);
}

/** `classify(error) === 'transient'`. */
export function isTransient(error: unknown, options?: ClassifyOptions): boolean {
  return defaultClassifier.classify(error, options) === 'transient';
}
