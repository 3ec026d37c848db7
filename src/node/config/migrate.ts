import type { ResilienceConfig, StrategyName } from '../../core/orchestrator/config.js';
import { strategyNames } from '../../core/orchestrator/strategies.js';
import { presets, type PresetName } from '../../core/presets/index.js';
import { detectEnvironment, presetFor } from './environment.js';
import { validateConfig, type ValidationResult } from './validate.js';

/**
 * Legacy configuration — flat variables such as seed 003's `API_RETRY_MAX` or
 * `DEFAULT_RESILIENCE_STRATEGY`, `SUMMARIZE_RESILIENCE_STRATEGY` — turned into a preset
 * plus overrides, with a confidence score that says how much of the old behaviour the
 * new configuration is known to keep.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** One legacy variable and where it went. */
export interface MappedVariable {
  readonly variable: string;
  readonly value: string;
  /** The configuration path it sets, e.g. `defaults.retry.maxAttempts`. */
  readonly path: string;
  readonly to: unknown;
}

export interface MigrationResult {
  readonly preset: PresetName;
  /** The preset plus the overrides that keep the legacy behaviour. */
  readonly config: ResilienceConfig;
  /** 0–1: how confident the migration is that the new configuration behaves as the old. */
  readonly confidence: number;
  readonly mapped: readonly MappedVariable[];
  readonly warnings: readonly string[];
  /** Resilience-looking variables that have no equivalent. */
  readonly unmapped: readonly string[];
  /** The new configuration, validated. */
  readonly validation: ValidationResult;
}

type Mapping = { path: string[]; value: unknown } | { error: string };

const seconds = (raw: string): number | undefined => {
  const value = Number(raw);
  return raw.trim() !== '' && Number.isFinite(value) && value >= 0
    ? Math.round(value * 1000)
    : undefined;
};
const count = (raw: string): number | undefined => {
  const value = Number(raw);
  return /^\s*\d+\s*$/.test(raw) ? value : undefined;
};
const flag = (raw: string): boolean | undefined => {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  return undefined;
};

const numeric =
  (
    path: string[],
    parse: (raw: string) => number | undefined,
    what: string,
    adjust = (n: number) => n,
  ) =>
  (raw: string): Mapping => {
    const value = parse(raw);
    return value === undefined ? { error: `expected ${what}` } : { path, value: adjust(value) };
  };
const toggle =
  (path: string[]) =>
  (raw: string): Mapping => {
    const value = flag(raw);
    return value === undefined
      ? { error: 'expected true or false' }
      : { path, value: value ? {} : false };
  };

const backoff = (field: string): string[] => ['defaults', 'retry', 'backoff', field];

/**
 * Exact legacy names. Where two names say the same thing (`API_RETRY_MAX` counts retries,
 * `RETRY_MAX_ATTEMPTS` attempts), both map to one path; when they disagree the one listed
 * first here wins (the most explicit, then the seed's) and the disagreement is reported.
 */
const exact: Readonly<Record<string, (raw: string) => Mapping>> = {
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: numeric(
    ['defaults', 'circuitBreaker', 'trip', 'threshold'],
    count,
    'a whole number of failures',
  ),
  CIRCUIT_BREAKER_TIMEOUT: numeric(['defaults', 'circuitBreaker', 'openMs'], seconds, 'seconds'),
  CIRCUIT_BREAKER_RECOVERY_TIMEOUT: numeric(
    ['defaults', 'circuitBreaker', 'openMs'],
    seconds,
    'seconds',
  ),
  CIRCUIT_BREAKER_ENABLED: toggle(['defaults', 'circuitBreaker']),
  ENABLE_CIRCUIT_BREAKER: toggle(['defaults', 'circuitBreaker']),
  RETRY_MAX_ATTEMPTS: numeric(
    ['defaults', 'retry', 'maxAttempts'],
    count,
    'a whole number of attempts',
  ),
  API_RETRY_MAX: numeric(
    ['defaults', 'retry', 'maxAttempts'],
    count,
    'a whole number of retries',
    (n) => n + 1,
  ),
  RETRY_MAX_RETRIES: numeric(
    ['defaults', 'retry', 'maxAttempts'],
    count,
    'a whole number of retries',
    (n) => n + 1,
  ),
  API_RETRY_BASE_DELAY: numeric(backoff('initialMs'), seconds, 'seconds'),
  RETRY_BASE_DELAY: numeric(backoff('initialMs'), seconds, 'seconds'),
  RETRY_MAX_DELAY: numeric(backoff('maxMs'), seconds, 'seconds'),
  RETRY_EXPONENTIAL_MULTIPLIER: numeric(
    backoff('multiplier'),
    (raw) => (Number.isFinite(Number(raw)) ? Number(raw) : undefined),
    'a number',
  ),
  RETRY_JITTER: (raw) => {
    const on = flag(raw);
    if (on !== undefined) return { path: backoff('jitter'), value: on ? 0.1 : 'none' };
    const fraction = Number(raw);
    return Number.isFinite(fraction)
      ? { path: backoff('jitter'), value: fraction }
      : { error: 'expected true, false or a fraction' };
  },
  RETRY_ENABLED: toggle(['defaults', 'retry']),
  ENABLE_RETRY: toggle(['defaults', 'retry']),
  API_TIMEOUT: numeric(['defaults', 'timeout'], seconds, 'seconds'),
  DEFAULT_RESILIENCE_STRATEGY: (raw) => strategy(['defaults', 'strategy'], raw),
  RESILIENCE_STRATEGY: (raw) => strategy(['defaults', 'strategy'], raw),
};

function strategy(path: string[], raw: string): Mapping {
  const value = raw.trim().toLowerCase();
  return (strategyNames as readonly string[]).includes(value)
    ? { path, value }
    : { error: `expected one of ${strategyNames.join(', ')}` };
}

const rank = (name: string): number => Object.keys(exact).indexOf(name);

const perOperationStrategy = /^([A-Z][A-Z0-9_]*)_RESILIENCE_STRATEGY$/;
const resilienceLooking = /RETRY|CIRCUIT|BREAKER|RESILIENCE|BACKOFF|BULKHEAD|RATE_?LIMIT|FALLBACK/;

function mappingFor(name: string, raw: string): Mapping | undefined {
  const rule = exact[name];
  if (rule !== undefined) return rule(raw);
  const match = perOperationStrategy.exec(name);
  if (match?.[1] !== undefined)
    return strategy(['operations', match[1].toLowerCase(), 'strategy'], raw);
  return undefined;
}

function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] ?? ''] = value;
}

/** Puts `kind` first in `section[layer][key]`, when that object exists; returns the layer. */
function withKind(
  section: Record<string, unknown>,
  layer: string,
  key: string,
  kind: string,
): unknown {
  const value = section[layer];
  if (typeof value !== 'object' || value === null) return value;
  const holder = value as Record<string, unknown>;
  const inner = holder[key];
  if (typeof inner === 'object' && inner !== null) holder[key] = { kind, ...inner };
  return value;
}

const round = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;

/** Maps flat legacy variables to a preset plus overrides, then validates the result. */
export function migrateLegacyConfig(env: Env): MigrationResult {
  const mapped: MappedVariable[] = [];
  const warnings: string[] = [];
  const unmapped: string[] = [];
  const byPath = new Map<string, MappedVariable>();
  let penalty = 0;

  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (raw === undefined || name.startsWith('BREAKWATER_')) continue;
    const mapping = mappingFor(name, raw);
    if (mapping === undefined) {
      if (resilienceLooking.test(name)) {
        unmapped.push(name);
        penalty += 0.1;
      }
      continue;
    }
    if ('error' in mapping) {
      warnings.push(`${name}=${raw} ignored: ${mapping.error}`);
      unmapped.push(name);
      penalty += 0.15;
      continue;
    }
    const entry = { variable: name, value: raw, path: mapping.path.join('.'), to: mapping.value };
    const earlier = byPath.get(entry.path);
    if (earlier !== undefined && JSON.stringify(earlier.to) !== JSON.stringify(entry.to)) {
      const keep = rank(name) < rank(earlier.variable) ? entry : earlier;
      warnings.push(
        `${earlier.variable}=${earlier.value} and ${name}=${raw} disagree on ${entry.path}; kept ${keep.variable} (${JSON.stringify(keep.to)})`,
      );
      penalty += 0.15;
      byPath.set(entry.path, keep);
      mapped.push(entry);
      continue;
    }
    byPath.set(entry.path, entry);
    mapped.push(entry);
  }

  const overrides: Record<string, unknown> = {};
  // Shallow paths first so deeper settings land inside them; "off" last, so it wins.
  const ordered = [...byPath.values()].sort(
    (a, b) => Number(a.to === false) - Number(b.to === false) || a.path.length - b.path.length,
  );
  for (const entry of ordered) setPath(overrides, entry.path.split('.'), entry.to);
  const defaults = (overrides['defaults'] ?? {}) as Record<string, unknown>;
  // Legacy names carry no kind: the seed's breaker counts consecutive failures and its
  // retries back off exponentially.
  const breaker = withKind(defaults, 'circuitBreaker', 'trip', 'consecutive');
  const retry = withKind(defaults, 'retry', 'backoff', 'exponential');
  for (const [layer, value] of [
    ['circuitBreaker', breaker],
    ['retry', retry],
  ] as const) {
    if (value !== false) continue;
    const ignored = mapped.filter((m) => m.path.startsWith(`defaults.${layer}.`));
    for (const m of ignored) {
      warnings.push(`${m.variable}=${m.value} has no effect: ${layer} is turned off`);
      penalty += 0.15;
    }
  }

  const { preset, reason, certain } = choosePreset(
    env,
    defaults['strategy'] as StrategyName | undefined,
  );
  warnings.push(`preset ${preset}: ${reason}`);
  if (!certain) penalty += 0.1;
  if (defaults['strategy'] === presets[preset].defaults?.strategy) delete defaults['strategy'];
  if (Object.keys(defaults).length === 0) delete overrides['defaults'];
  const config = {
    preset,
    ...overrides,
    operations: overrides['operations'] ?? {},
  } as ResilienceConfig;
  const environment = detectEnvironment(env).environment;
  const validation = validateConfig(config, { environment });
  if (!validation.valid) penalty += 0.3;
  const confidence = mapped.length === 0 ? 0 : round(1 - penalty);
  if (mapped.length === 0) warnings.push('no legacy resilience variable found');
  return { preset, config, confidence, mapped, warnings, unmapped, validation };
}

function choosePreset(
  env: Env,
  strategy: StrategyName | undefined,
): { preset: PresetName; reason: string; certain: boolean } {
  const detected = detectEnvironment(env);
  if (detected.confidence >= 0.5) {
    const preset = presetFor(detected.environment);
    return {
      preset,
      reason: `the environment looks like ${detected.environment} (${detected.reasoning[0] ?? ''})`,
      certain: true,
    };
  }
  if (strategy !== undefined) {
    const preset = (Object.keys(presets) as PresetName[]).find(
      (name) => presets[name].defaults?.strategy === strategy,
    );
    if (preset !== undefined) {
      return {
        preset,
        reason: `its default strategy is ${strategy}, as in the legacy configuration`,
        certain: true,
      };
    }
  }
  return {
    preset: 'simple',
    reason: 'nothing says which environment this is; the simplest preset',
    certain: false,
  };
}
