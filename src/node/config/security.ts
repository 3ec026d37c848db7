import type { ConfigProblem } from '../../core/errors/index.js';
import { formatPath } from './problems.js';
import { isPlainObject } from '../../core/plain-object.js';

/**
 * Settings that make a resilience layer harmful (seed 002: the wrong settings cause retry
 * storms and breakers that never open). The checks read the raw input defensively, so they
 * run even when the schema found problems elsewhere and every problem is reported at once.
 */

export interface SecurityFindings {
  /** Dangerous: the configuration is rejected. */
  readonly errors: ConfigProblem[];
  /** Risky: reported, but the configuration applies. */
  readonly warnings: ConfigProblem[];
}

export interface SecurityOptions {
  /** Production tightens the rules (sub-second open times are rejected, not just reported). */
  readonly production: boolean;
}

export const MAX_ATTEMPTS = 10;
export const MIN_PRODUCTION_OPEN_MS = 1_000;
const LARGE_QUEUE = 1_000;
export const MAX_RATE_PER_SECOND = 10_000;
export const MAX_BURST = 10_000;
const SLOW_TO_OPEN = 100;
const LONG_BACKOFF_MS = 5 * 60_000;

type Section = Record<string, unknown>;

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && !Number.isNaN(value) ? value : undefined;

function finding(
  path: readonly string[],
  value: unknown,
  expected: string,
  reason: string,
): ConfigProblem {
  return { path: formatPath(path), value, expected, message: reason };
}

/** Checks one operation's settings (or the defaults) found at `path`. */
function checkSection(
  section: Section,
  path: readonly string[],
  options: SecurityOptions,
  out: SecurityFindings,
): void {
  const retry = section['retry'];
  const breaker = section['circuitBreaker'];
  let retries = false;

  if (isPlainObject(retry)) {
    const attemptsPath = [...path, 'retry', 'maxAttempts'];
    const attempts = num(retry['maxAttempts']);
    retries = attempts === undefined || attempts > 1;
    if (attempts !== undefined && !Number.isFinite(attempts)) {
      out.errors.push(
        finding(
          attemptsPath,
          attempts,
          `an integer from 1 to ${MAX_ATTEMPTS}`,
          'unbounded retries turn an outage into a retry storm that keeps the service down',
        ),
      );
    } else if (attempts !== undefined && attempts > MAX_ATTEMPTS) {
      out.errors.push(
        finding(
          attemptsPath,
          attempts,
          `an integer from 1 to ${MAX_ATTEMPTS}`,
          `${attempts} attempts multiply the load on a failing service ${attempts}-fold; at most ${MAX_ATTEMPTS} are allowed`,
        ),
      );
    }
    checkBackoff(retry['backoff'], [...path, 'retry', 'backoff'], retries, out);
    if (retries && breaker === false) {
      out.warnings.push(
        finding(
          [...path, 'circuitBreaker'],
          false,
          'a circuit breaker when retrying',
          'retries without a circuit breaker keep hammering a service that is down',
        ),
      );
    }
  }

  if (isPlainObject(breaker)) checkBreaker(breaker, [...path, 'circuitBreaker'], options, out);
  if (breaker === false && options.production) {
    out.warnings.push(
      finding(
        [...path, 'circuitBreaker'],
        false,
        'a circuit breaker in production',
        'without a breaker every caller waits on a dependency that is down',
      ),
    );
  }

  const bulkhead = section['bulkhead'];
  if (isPlainObject(bulkhead)) {
    const queue = num(bulkhead['maxQueue']);
    const queuePath = [...path, 'bulkhead', 'maxQueue'];
    if (queue !== undefined && !Number.isFinite(queue)) {
      out.errors.push(
        finding(
          queuePath,
          queue,
          'a bounded queue length',
          'an unbounded queue holds callers and memory without limit while the service is slow',
        ),
      );
    } else if (queue !== undefined && queue > LARGE_QUEUE) {
      out.warnings.push(
        finding(
          queuePath,
          queue,
          `a queue of at most ${LARGE_QUEUE}`,
          `a queue of ${queue} callers adds long waits before they are turned away`,
        ),
      );
    }
  }

  const limiter = section['rateLimit'];
  if (isPlainObject(limiter)) checkRateLimit(limiter, [...path, 'rateLimit'], options, out);

  if (section['timeout'] === false) {
    out.warnings.push(
      finding(
        [...path, 'timeout'],
        false,
        'a timeout',
        'a call with no deadline can hold a caller and its resources indefinitely',
      ),
    );
  }
}

/**
 * A limiter so loose it never limits: more than `MAX_RATE_PER_SECOND` calls a second, or a
 * burst above `MAX_BURST`, lets a client flood the service it should protect (seed 002:
 * overly permissive rate limiting). An error in production, a warning elsewhere.
 */
function checkRateLimit(
  limiter: Section,
  path: readonly string[],
  options: SecurityOptions,
  out: SecurityFindings,
): void {
  const rate = num(limiter['rate']);
  const intervalMs = num(limiter['intervalMs']) ?? 1_000;
  const burst = num(limiter['burst']);
  const findings = options.production ? out.errors : out.warnings;
  if (rate !== undefined && intervalMs > 0) {
    const perSecond = (rate / intervalMs) * 1_000;
    if (perSecond > MAX_RATE_PER_SECOND) {
      findings.push(
        finding(
          [...path, 'rate'],
          rate,
          `at most ${MAX_RATE_PER_SECOND} calls per second`,
          `a rate of ${perSecond} calls per second does not limit anything; at most ${MAX_RATE_PER_SECOND}`,
        ),
      );
    }
  }
  if (burst !== undefined && burst > MAX_BURST) {
    findings.push(
      finding(
        [...path, 'burst'],
        burst,
        `a burst of at most ${MAX_BURST}`,
        `a burst of ${burst} calls at once floods the service the limiter protects; at most ${MAX_BURST}`,
      ),
    );
  }
}

function checkBackoff(
  backoff: unknown,
  path: readonly string[],
  retries: boolean,
  out: SecurityFindings,
): void {
  if (!isPlainObject(backoff) || !retries) return;
  const kind = backoff['kind'];
  const zero =
    (kind === 'constant' && num(backoff['delayMs']) === 0) ||
    (kind === 'exponential' && num(backoff['initialMs']) === 0) ||
    (kind === 'linear' && num(backoff['initialMs']) === 0 && (num(backoff['stepMs']) ?? 0) === 0);
  if (zero) {
    const field = kind === 'constant' ? 'delayMs' : 'initialMs';
    out.errors.push(
      finding(
        [...path, field],
        0,
        'a delay > 0 ms between attempts',
        'retries with no backoff hit a failing service again at once, as a retry storm',
      ),
    );
  }
  const maxMs = num(backoff['maxMs']);
  if (maxMs !== undefined && maxMs > LONG_BACKOFF_MS) {
    out.warnings.push(
      finding(
        [...path, 'maxMs'],
        maxMs,
        `at most ${LONG_BACKOFF_MS} ms`,
        'a backoff of more than five minutes keeps a caller waiting longer than anyone waits',
      ),
    );
  }
  if (backoff['jitter'] === 'none' || backoff['jitter'] === 0) {
    out.warnings.push(
      finding(
        [...path, 'jitter'],
        backoff['jitter'],
        'some jitter',
        'without jitter every client retries at the same instant (a thundering herd)',
      ),
    );
  }
}

function checkBreaker(
  breaker: Section,
  path: readonly string[],
  options: SecurityOptions,
  out: SecurityFindings,
): void {
  const trip = breaker['trip'];
  if (isPlainObject(trip)) {
    const tripPath = [...path, 'trip'];
    const never = (field: string, value: unknown, expected: string, why: string): void => {
      out.errors.push(
        finding([...tripPath, field], value, expected, `this breaker can never open: ${why}`),
      );
    };
    const threshold = num(trip['threshold']);
    if (trip['kind'] === 'consecutive' && threshold !== undefined) {
      if (!Number.isFinite(threshold)) {
        never(
          'threshold',
          threshold,
          'a finite number of failures',
          'no count of failures reaches it',
        );
      } else if (threshold > SLOW_TO_OPEN) {
        out.warnings.push(
          finding(
            [...tripPath, 'threshold'],
            threshold,
            `at most ${SLOW_TO_OPEN} failures`,
            `${threshold} failures in a row before opening lets an outage through for a long time`,
          ),
        );
      }
    }
    if (trip['kind'] === 'failure-rate') {
      if (threshold !== undefined && threshold > 1) {
        never(
          'threshold',
          threshold,
          'a failure rate in (0, 1]',
          'a failure rate above 100 % is never reached',
        );
      }
      const minimumCalls = num(trip['minimumCalls']);
      const window = trip['window'];
      const size =
        isPlainObject(window) && window['kind'] === 'count' ? num(window['size']) : undefined;
      if (minimumCalls !== undefined && !Number.isFinite(minimumCalls)) {
        never(
          'minimumCalls',
          minimumCalls,
          'a finite number of calls',
          'the minimum number of calls is never reached',
        );
      } else if (minimumCalls !== undefined && size !== undefined && minimumCalls > size) {
        never(
          'minimumCalls',
          minimumCalls,
          `at most the window size (${size})`,
          `a window of ${size} calls never holds ${minimumCalls}`,
        );
      }
    }
  }
  const openMs = num(breaker['openMs']);
  if (openMs !== undefined && openMs < MIN_PRODUCTION_OPEN_MS) {
    const issue = finding(
      [...path, 'openMs'],
      openMs,
      `at least ${MIN_PRODUCTION_OPEN_MS} ms`,
      `an open time of ${openMs} ms${options.production ? ' in production' : ''} sends probes before a failing service can recover; at least ${MIN_PRODUCTION_OPEN_MS} ms`,
    );
    (options.production ? out.errors : out.warnings).push(issue);
  }
}

/** Every security finding of a configuration (as given, before defaults are applied). */
export function checkSecurity(config: unknown, options: SecurityOptions): SecurityFindings {
  const out: SecurityFindings = { errors: [], warnings: [] };
  if (!isPlainObject(config)) return out;
  const defaults = config['defaults'];
  if (isPlainObject(defaults)) checkSection(defaults, ['defaults'], options, out);
  const operations = config['operations'];
  if (isPlainObject(operations)) {
    for (const [name, section] of Object.entries(operations)) {
      if (isPlainObject(section)) checkSection(section, ['operations', name], options, out);
    }
  }
  return out;
}
