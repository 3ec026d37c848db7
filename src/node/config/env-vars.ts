import * as z from 'zod';
import type { ConfigProblem } from '../../core/errors/index.js';
import { isReservedKey } from '../../core/orchestrator/document-limits.js';
import { closest } from './suggest.js';

/**
 * Configuration from environment variables.
 *
 * - The seed's names (seed 003), applied to every operation:
 *   `CIRCUIT_BREAKER_FAILURE_THRESHOLD`, `CIRCUIT_BREAKER_TIMEOUT` (seconds),
 *   `CIRCUIT_BREAKER_ENABLED`, `API_RETRY_MAX` (retries: attempts = value + 1),
 *   `API_RETRY_BASE_DELAY` (seconds).
 * - `BREAKWATER_<SETTING>` for every operation, e.g. `BREAKWATER_RETRY_MAX_ATTEMPTS=4`;
 *   `BREAKWATER_OP_<OPERATION>_<SETTING>` for one, e.g.
 *   `BREAKWATER_OP_SUMMARIZE_RETRY_MAX_ATTEMPTS=4` (the operation name upper-cased, with
 *   `-` and `.` written `_`). The `BREAKWATER_*` names win over the seed's.
 * - `BREAKWATER_PRESET`, `BREAKWATER_ENV` and `BREAKWATER_CONFIG_FILE` choose the preset,
 *   the environment and the file.
 */

type Env = Readonly<Record<string, string | undefined>>;
type Parse = (raw: string) => { ok: true; value: unknown } | { ok: false; expected: string };

const bad = (expected: string) => ({ ok: false as const, expected });
const good = (value: unknown) => ({ ok: true as const, value });

const unbounded = /^(inf|infinity|unlimited|unbounded)$/i;

const integer: Parse = (raw) =>
  /^-?\d+$/.test(raw.trim())
    ? good(Number(raw))
    : unbounded.test(raw.trim())
      ? good(Infinity)
      : bad('an integer');
/** A parser from a zod schema that coerces the raw text; `expected` names what it wants. */
const coerced =
  (schema: z.ZodType, expected: string): Parse =>
  (raw) => {
    const result = schema.safeParse(raw);
    return result.success ? good(result.data) : bad(expected);
  };
const number = coerced(z.string().trim().min(1).pipe(z.coerce.number()), 'a number');
const seconds: Parse = (raw) => {
  const parsed = number(raw);
  return parsed.ok ? good(Math.round((parsed.value as number) * 1000)) : bad('a number of seconds');
};
const boolean = coerced(
  z
    .string()
    .trim()
    .pipe(z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] })),
  'true or false',
);
const text: Parse = (raw) => good(raw.trim().toLowerCase());
const jitter: Parse = (raw) => {
  const parsed = number(raw);
  return parsed.ok ? parsed : text(raw);
};

/** How one setting lands in an operation's section (or in `defaults`). */
interface Setting {
  readonly parse: Parse;
  readonly apply: (section: Record<string, unknown>, value: unknown) => void;
  /** The configuration path it sets, relative to the section, for provenance. */
  readonly path: string;
}

const child = (section: Record<string, unknown>, key: string): Record<string, unknown> => {
  const existing = section[key];
  if (typeof existing === 'object' && existing !== null) {
    return existing as Record<string, unknown>;
  }
  const created: Record<string, unknown> = {};
  section[key] = created;
  return created;
};

const set =
  (...keys: string[]) =>
  (section: Record<string, unknown>, value: unknown): void => {
    let node = section;
    for (const key of keys.slice(0, -1)) node = child(node, key);
    node[keys[keys.length - 1] ?? ''] = value;
  };

const backoffField =
  (key: string) =>
  (section: Record<string, unknown>, value: unknown): void => {
    const backoff = child(child(section, 'retry'), 'backoff');
    backoff['kind'] = 'exponential';
    backoff[key] = value;
  };

/** `…_ENABLED=false` turns the layer off; `true` keeps it on with the settings below it. */
const enabled =
  (key: string) =>
  (section: Record<string, unknown>, value: unknown): void => {
    if (value === false) section[key] = false;
    else if (section[key] === undefined) section[key] = {};
  };

const settings: Readonly<Record<string, Setting>> = {
  STRATEGY: { parse: text, apply: set('strategy'), path: 'strategy' },
  RETRY_ENABLED: { parse: boolean, apply: enabled('retry'), path: 'retry' },
  RETRY_MAX_ATTEMPTS: {
    parse: integer,
    apply: set('retry', 'maxAttempts'),
    path: 'retry.maxAttempts',
  },
  RETRY_INITIAL_DELAY_MS: {
    parse: number,
    apply: backoffField('initialMs'),
    path: 'retry.backoff.initialMs',
  },
  RETRY_MULTIPLIER: {
    parse: number,
    apply: backoffField('multiplier'),
    path: 'retry.backoff.multiplier',
  },
  RETRY_MAX_DELAY_MS: { parse: number, apply: backoffField('maxMs'), path: 'retry.backoff.maxMs' },
  RETRY_JITTER: { parse: jitter, apply: backoffField('jitter'), path: 'retry.backoff.jitter' },
  RETRY_MAX_ELAPSED_MS: {
    parse: number,
    apply: set('retry', 'maxElapsedMs'),
    path: 'retry.maxElapsedMs',
  },
  CIRCUIT_BREAKER_ENABLED: {
    parse: boolean,
    apply: enabled('circuitBreaker'),
    path: 'circuitBreaker',
  },
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: {
    parse: integer,
    apply: (section, value) => {
      child(section, 'circuitBreaker')['trip'] = { kind: 'consecutive', threshold: value };
    },
    path: 'circuitBreaker.trip.threshold',
  },
  CIRCUIT_BREAKER_OPEN_MS: {
    parse: number,
    apply: set('circuitBreaker', 'openMs'),
    path: 'circuitBreaker.openMs',
  },
  CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS: {
    parse: integer,
    apply: set('circuitBreaker', 'halfOpen', 'maxCalls'),
    path: 'circuitBreaker.halfOpen.maxCalls',
  },
  CIRCUIT_BREAKER_SUCCESSES_TO_CLOSE: {
    parse: integer,
    apply: set('circuitBreaker', 'halfOpen', 'successesToClose'),
    path: 'circuitBreaker.halfOpen.successesToClose',
  },
  TIMEOUT_MS: { parse: number, apply: set('timeout', 'ms'), path: 'timeout.ms' },
  TIMEOUT_MODE: { parse: text, apply: set('timeout', 'mode'), path: 'timeout.mode' },
  BULKHEAD_MAX_CONCURRENT: {
    parse: integer,
    apply: set('bulkhead', 'maxConcurrent'),
    path: 'bulkhead.maxConcurrent',
  },
  BULKHEAD_MAX_QUEUE: {
    parse: integer,
    apply: set('bulkhead', 'maxQueue'),
    path: 'bulkhead.maxQueue',
  },
  RATE_LIMIT_RATE: { parse: number, apply: set('rateLimit', 'rate'), path: 'rateLimit.rate' },
  RATE_LIMIT_INTERVAL_MS: {
    parse: number,
    apply: set('rateLimit', 'intervalMs'),
    path: 'rateLimit.intervalMs',
  },
  RATE_LIMIT_BURST: { parse: integer, apply: set('rateLimit', 'burst'), path: 'rateLimit.burst' },
};

/** The seed's variables, each an alias of a `BREAKWATER_*` setting for every operation. */
const legacy: Readonly<Record<string, Setting>> = {
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: settings['CIRCUIT_BREAKER_FAILURE_THRESHOLD'] as Setting,
  CIRCUIT_BREAKER_TIMEOUT: {
    parse: seconds,
    apply: set('circuitBreaker', 'openMs'),
    path: 'circuitBreaker.openMs',
  },
  CIRCUIT_BREAKER_ENABLED: settings['CIRCUIT_BREAKER_ENABLED'] as Setting,
  API_RETRY_MAX: {
    parse: (raw) => {
      const parsed = integer(raw);
      if (!parsed.ok) return bad('a number of retries (an integer ≥ 0)');
      return good((parsed.value as number) + 1);
    },
    apply: set('retry', 'maxAttempts'),
    path: 'retry.maxAttempts',
  },
  API_RETRY_BASE_DELAY: {
    parse: seconds,
    apply: backoffField('initialMs'),
    path: 'retry.backoff.initialMs',
  },
};

/** The setting named `suffix`, never one inherited from `Object.prototype` (`constructor`…). */
const ownSetting = (suffix: string): Setting | undefined =>
  Object.prototype.hasOwnProperty.call(settings, suffix) ? settings[suffix] : undefined;

const PREFIX = 'BREAKWATER_';
const OP_PREFIX = 'BREAKWATER_OP_';
const controlVariables = ['BREAKWATER_ENV', 'BREAKWATER_PRESET', 'BREAKWATER_CONFIG_FILE'];
const suffixes = Object.keys(settings).sort((a, b) => b.length - a.length);
const knownNames = [...controlVariables, ...Object.keys(settings).map((s) => PREFIX + s)];

export interface EnvConfig {
  /** A raw (not yet validated) configuration: `preset`, `defaults`, `operations`. */
  readonly config: Record<string, unknown>;
  /** Configuration path → the variable it came from. */
  readonly sources: ReadonlyMap<string, string>;
  readonly problems: readonly ConfigProblem[];
  /** Unknown `BREAKWATER_*` variables (often a typo), with a suggestion. */
  readonly warnings: readonly ConfigProblem[];
}

const envKey = (operation: string): string => operation.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * Reads the configuration in `env`. Operation names are matched against `knownOperations`
 * (from the lower sources) so that `BREAKWATER_OP_KEY_POINTS_…` lands on `key-points` if
 * that is how the file spells it; otherwise the name is lower-cased.
 */
export function readEnvConfig(env: Env, knownOperations: Iterable<string> = []): EnvConfig {
  const byKey = new Map<string, string>();
  for (const name of knownOperations) byKey.set(envKey(name), name);
  const defaults: Record<string, unknown> = {};
  const operations: Record<string, Record<string, unknown>> = {};
  const config: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];

  const apply = (
    name: string,
    setting: Setting,
    section: Record<string, unknown>,
    at: string,
  ): void => {
    const raw = env[name] ?? '';
    const parsed = setting.parse(raw);
    if (!parsed.ok) {
      problems.push({
        path: `env.${name}`,
        value: raw,
        expected: parsed.expected,
        message: `got ${JSON.stringify(raw)}, expected ${parsed.expected}`,
      });
      return;
    }
    setting.apply(section, parsed.value);
    sources.set(`${at}.${setting.path}`, name);
  };

  // Seed names first, so the BREAKWATER_* settings for the same value overwrite them.
  for (const [name, setting] of Object.entries(legacy)) {
    if (env[name] !== undefined) apply(name, setting, defaults, 'defaults');
  }
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(PREFIX) || env[name] === undefined) continue;
    if (name === 'BREAKWATER_PRESET') {
      config['preset'] = env[name]?.trim().toLowerCase();
      sources.set('preset', name);
      continue;
    }
    if (controlVariables.includes(name)) continue;
    if (name.startsWith(OP_PREFIX)) {
      const rest = name.slice(OP_PREFIX.length);
      const suffix = suffixes.find((s) => rest.endsWith(`_${s}`) && rest.length > s.length + 1);
      if (suffix === undefined) {
        warnings.push(unknownVariable(name, closestOperationVariable(rest)));
        continue;
      }
      const key = rest.slice(0, rest.length - suffix.length - 1);
      const operation = byKey.get(key) ?? key.toLowerCase();
      if (isReservedKey(operation)) {
        problems.push({
          path: `env.${name}`,
          value: name,
          expected: 'an operation name other than __proto__, constructor or prototype',
          message: `reserved operation name ${JSON.stringify(operation)} refused: it could reach an object's prototype`,
        });
        continue;
      }
      const section = (operations[operation] ??= {});
      apply(name, settings[suffix] as Setting, section, `operations.${operation}`);
      continue;
    }
    const setting = ownSetting(name.slice(PREFIX.length));
    if (setting === undefined) {
      warnings.push(unknownVariable(name, closest(name, knownNames)));
      continue;
    }
    apply(name, setting, defaults, 'defaults');
  }
  if (Object.keys(defaults).length > 0) config['defaults'] = defaults;
  if (Object.keys(operations).length > 0) config['operations'] = operations;
  return { config, sources, problems, warnings };
}

/** Operation variables longer than this (after the prefix) get no "did you mean". */
const MAX_GUESSED_NAME = 256;

/** For `SUMMARIZE_RETRY_MAX_ATEMPTS`, the variable meant: `…_SUMMARIZE_RETRY_MAX_ATTEMPTS`. */
function closestOperationVariable(rest: string): string | undefined {
  // Each split point costs a comparison: a name this long is no typo worth the time.
  if (rest.length > MAX_GUESSED_NAME) return undefined;
  const parts = rest.split('_');
  for (let start = 1; start < parts.length; start++) {
    const guess = closest(parts.slice(start).join('_'), Object.keys(settings));
    if (guess !== undefined) return `${OP_PREFIX}${parts.slice(0, start).join('_')}_${guess}`;
  }
  return undefined;
}

function unknownVariable(name: string, suggestion: string | undefined): ConfigProblem {
  const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
  return {
    path: `env.${name}`,
    value: name,
    expected: 'a known BREAKWATER_* variable',
    message: `unknown variable, ignored${hint}`,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}
