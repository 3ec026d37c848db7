import type { OperationConfig, StrategyName } from '../../core/orchestrator/config.js';
import { strategies } from '../../core/orchestrator/strategies.js';
import { mergeInto, type Sources } from './merge.js';
import type { LoadedConfig } from './load.js';
import { isPlainObject } from '../../core/plain-object.js';

/** One effective setting and the source it came from. */
export interface ExplainedSetting {
  readonly path: string;
  readonly value: unknown;
  /** `strategy:balanced`, `built-in`, `preset:production`, `file:…`, `env (VAR)`, `runtime`. */
  readonly source: string;
}

export interface ExplainedOperation {
  /** The operation's name; `*` stands for any operation the configuration does not name. */
  readonly operation: string;
  readonly strategy: StrategyName;
  readonly settings: readonly ExplainedSetting[];
}

/** What an operation has before any source speaks: layers beyond retry and breaker are off. */
const builtIn = {
  timeout: false,
  bulkhead: false,
  rateLimit: false,
  fallback: {},
  stream: false,
} as const;

function flatten(value: unknown, path: string, sources: Sources, out: ExplainedSetting[]): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) {
      flatten(child, path === '' ? key : `${path}.${key}`, sources, out);
    }
    return;
  }
  out.push({ path, value, source: sources.get(path) ?? 'built-in' });
}

function explainOne(
  operation: string,
  layers: readonly (readonly [OperationConfig | undefined, ReadonlyMap<string, string>])[],
): ExplainedOperation {
  let strategy: StrategyName = 'balanced';
  for (const [config] of layers) strategy = config?.strategy ?? strategy;
  const sources: Sources = new Map();
  const base = strategies[strategy];
  const fromStrategy = (path: string): string =>
    path.startsWith('retry') || path.startsWith('circuitBreaker')
      ? `strategy:${strategy}`
      : 'built-in';
  let effective = mergeInto(
    {},
    { retry: base.retry, circuitBreaker: base.circuitBreaker, ...builtIn },
    '',
    fromStrategy,
    sources,
  );
  for (const [config, origins] of layers) {
    if (config === undefined) continue;
    const settings: Record<string, unknown> = { ...config };
    delete settings['strategy'];
    effective = mergeInto(
      effective,
      settings,
      '',
      (path) => origins.get(path) ?? 'built-in',
      sources,
    );
  }
  const settings: ExplainedSetting[] = [];
  flatten(effective, '', sources, settings);
  const named = [...layers].reverse().find(([config]) => config?.strategy !== undefined);
  settings.unshift({
    path: 'strategy',
    value: strategy,
    source: named?.[1].get('strategy') ?? 'built-in',
  });
  return { operation, strategy, settings };
}

/**
 * The effective settings of every operation the configuration names (and of `*`, any
 * other operation), each with the source it came from — as the orchestrator resolves
 * them: the strategy's values, then `defaults`, then the operation's own entry. Settings
 * passed in code to `wrap` sit between the last two and are not visible here.
 */
export function explainConfig(loaded: LoadedConfig): ExplainedOperation[] {
  const { defaults, operations } = loaded.config;
  const rows = [explainOne('*', [[defaults, loaded.sources.defaults]])];
  for (const [name, entry] of Object.entries(operations)) {
    const origins = loaded.sources.operations.get(name) ?? new Map<string, string>();
    rows.push(
      explainOne(name, [
        [defaults, loaded.sources.defaults],
        [entry, origins],
      ]),
    );
  }
  return rows;
}
