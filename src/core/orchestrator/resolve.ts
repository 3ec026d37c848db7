import type {
  BulkheadConfig,
  CircuitBreakerConfig,
  FallbackConfig,
  OperationConfig,
  RateLimitConfig,
  ResilienceConfig,
  RetryConfig,
  StrategyName,
  StreamConfig,
  TimeoutConfig,
} from './config.js';
import { resolveStrategy, type Strategy } from './strategies.js';
import { blends, isPlainObject } from '../plain-object.js';

/** An operation's settings once every source is applied: each layer is on (its options) or off. */
export interface ResolvedConfig {
  readonly strategy: StrategyName;
  readonly retry: RetryConfig | false;
  readonly circuitBreaker: CircuitBreakerConfig | false;
  readonly timeout: TimeoutConfig | false;
  readonly bulkhead: BulkheadConfig | false;
  readonly rateLimit: RateLimitConfig | false;
  readonly fallback: FallbackConfig | false;
  readonly stream: StreamConfig | false;
}

/** What the code said about an operation when it wrapped it. */
export interface CodeSettings {
  readonly strategy?: StrategyName | Strategy;
  readonly config?: OperationConfig;
}

/**
 * Lays `over` on `base`: objects merge key by key (a nested object whose `kind` changes is
 * replaced, not merged, so exponential options never leak into a constant backoff);
 * anything else — `false`, a number — replaces.
 */
function overlay(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!blends(base, over) || !isPlainObject(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = overlay(base[key], value);
  return merged;
}

const LAYERS = [
  'retry',
  'circuitBreaker',
  'timeout',
  'bulkhead',
  'rateLimit',
  'fallback',
  'stream',
] as const;

/**
 * An operation's settings, from general to specific: its strategy, the configuration's
 * `defaults`, what the code passed to `wrap`, then `operations[name]` — so operators can
 * tune any operation from a file or at runtime without touching the code.
 */
export function resolveOperation(
  name: string,
  code: CodeSettings,
  config: ResilienceConfig,
): ResolvedConfig {
  const operations = config.operations;
  // An own entry only: an operation named `toString` has no settings from `Object.prototype`.
  const own = Object.prototype.hasOwnProperty.call(operations, name) ? operations[name] : undefined;
  const strategy = resolveStrategy(
    own?.strategy ??
      code.config?.strategy ??
      code.strategy ??
      config.defaults?.strategy ??
      'balanced',
  );
  const resolved: Record<string, unknown> = {
    strategy: strategy.name,
    retry: strategy.retry,
    circuitBreaker: strategy.circuitBreaker,
    timeout: false,
    bulkhead: false,
    rateLimit: false,
    fallback: {},
    stream: false,
  };
  for (const source of [config.defaults, code.config, own]) {
    if (source === undefined) continue;
    for (const layer of LAYERS) resolved[layer] = overlay(resolved[layer], source[layer]);
  }
  return resolved as unknown as ResolvedConfig;
}

/** Structural equality of plain data, to know which layers a configuration change touches. */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => sameData(a[key], b[key]));
  }
  return false;
}
