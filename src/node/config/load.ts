import { ConfigError, type ConfigProblem } from '../../core/errors/index.js';
import { presetNames, presets, type PresetName } from '../../core/presets/index.js';
import {
  detectEnvironment,
  presetFor,
  type Environment,
  type EnvironmentDetection,
} from './environment.js';
import { readEnvConfig } from './env-vars.js';
import { readConfigFile } from './file.js';
import {
  labeller,
  mergeInto,
  overrideExisting,
  type Layer,
  type Sources,
  type Tree,
} from './merge.js';
import { problemsFromIssues } from './problems.js';
import { configSchema } from './schema.js';
import { byPath } from './validate.js';
import type { OperationConfig, ResilienceConfig } from '../../core/orchestrator/config.js';
import { checkSecurity } from './security.js';
import { constructionProblems } from './construct.js';
import { documentProblems } from '../../core/orchestrator/document-limits.js';
import { isPlainObject } from '../../core/plain-object.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface LoadOptions {
  /** The environment variables to read; `process.env` when absent. */
  readonly env?: Env;
  /** A JSON or YAML file; `BREAKWATER_CONFIG_FILE` when absent. */
  readonly file?: string;
  /** Runtime updates: the highest source. */
  readonly overrides?: unknown;
  /** Skips detection when the environment is known. */
  readonly environment?: Environment;
}

export interface LoadedConfig {
  /** Every source applied, ready for `createResilience`. */
  readonly config: ResilienceConfig & { readonly defaults: OperationConfig };
  readonly preset: PresetName;
  readonly environment: EnvironmentDetection;
  /**
   * For `defaults` and each operation's own entry: setting path → the source that set it
   * (`explainConfig` adds the strategy's values below them).
   */
  readonly sources: {
    readonly defaults: ReadonlyMap<string, string>;
    readonly operations: ReadonlyMap<string, ReadonlyMap<string, string>>;
  };
  readonly warnings: readonly ConfigProblem[];
  /** The sources, lowest first, as read. */
  readonly layers: readonly Layer[];
}

/** The lowest source: what applies when nothing else is said. */
export const builtinDefaults = { defaults: { strategy: 'balanced' }, operations: {} } as const;

const section = (config: unknown, key: 'defaults' | 'operations'): Tree =>
  isPlainObject(config) && isPlainObject(config[key]) ? config[key] : {};

/** Adds the source to a problem's message, so the reader knows where to fix it. */
function from(problem: ConfigProblem, source: string): ConfigProblem {
  return { ...problem, message: `${problem.message} [${source}]` };
}

/**
 * Whether a load ran before in this process. The first load parses without zod's compiled
 * fast path: compiling the schema's parsers costs more than the interpreted parse of a
 * whole file, and a service usually loads its configuration once. Later loads (a reload)
 * parse compiled. Pays for the BENCHMARKS.md row "load + validate a
 * 50-operation YAML config" (the fresh-process figure; the warm one parses compiled).
 */
let loadedBefore = false;

function schemaProblems(layer: Layer, jitless: boolean): ConfigProblem[] {
  const parsed = configSchema.safeParse(layer.config, { reportInput: true, jitless });
  if (parsed.success) return [];
  const label = labeller(layer, '');
  return problemsFromIssues(parsed.error.issues, layer.config, configSchema).map((p) =>
    from(p, label(p.path)),
  );
}

function choosePreset(layers: readonly Layer[], environment: Environment): PresetName {
  for (const layer of [...layers].reverse()) {
    const preset = isPlainObject(layer.config) ? layer.config['preset'] : undefined;
    if (typeof preset === 'string' && (presetNames as readonly string[]).includes(preset)) {
      return preset as PresetName;
    }
  }
  return presetFor(environment);
}

/**
 * Resolves the layers, lowest first. Source precedence comes before specificity: a
 * higher source's `defaults` replace what a lower source said about one operation (an
 * operator's `API_RETRY_MAX` applies to every operation, including those the preset
 * tuned); within one source an operation's own settings beat its defaults. Each
 * operation's entry holds only what some source said about it or overrode in it, so the
 * orchestrator still places the code's own settings between `defaults` and the entry.
 */
function resolve(layers: readonly Layer[]): {
  config: LoadedConfig['config'];
  defaultSources: Sources;
  operationSources: Map<string, Sources>;
} {
  let defaults: unknown = {};
  const defaultSources: Sources = new Map();
  for (const layer of layers) {
    const label = labeller(layer, 'defaults.');
    defaults = mergeInto(defaults, section(layer.config, 'defaults'), '', label, defaultSources);
  }
  const names = new Set(
    layers.flatMap((layer) => Object.keys(section(layer.config, 'operations'))),
  );
  const operations: Record<string, OperationConfig> = {};
  const operationSources = new Map<string, Sources>();
  for (const name of names) {
    let entry: unknown = {};
    const sources: Sources = new Map();
    for (const layer of layers) {
      const general = labeller(layer, 'defaults.');
      entry = overrideExisting(entry, section(layer.config, 'defaults'), '', general, sources);
      const operations = section(layer.config, 'operations');
      // An own entry only: `toString` is an operation name, not `Object.prototype.toString`.
      const own = Object.prototype.hasOwnProperty.call(operations, name)
        ? operations[name]
        : undefined;
      entry = mergeInto(entry, own, '', labeller(layer, `operations.${name}.`), sources);
    }
    operations[name] = entry as OperationConfig;
    operationSources.set(name, sources);
  }
  return {
    config: { defaults: defaults as OperationConfig, operations },
    defaultSources,
    operationSources,
  };
}

/**
 * Every layer's `defaults` and `operations` merged without resolution, for the security
 * rules, with the source of each value so a finding can say where to fix it.
 */
function mergedForChecks(layers: readonly Layer[]): { merged: Tree; sources: Sources } {
  const sources: Sources = new Map();
  let defaults: unknown = {};
  let operations: unknown = {};
  for (const layer of layers) {
    const label = labeller(layer, '');
    defaults = mergeInto(defaults, section(layer.config, 'defaults'), 'defaults', label, sources);
    operations = mergeInto(
      operations,
      section(layer.config, 'operations'),
      'operations',
      label,
      sources,
    );
  }
  return { merged: { defaults, operations }, sources };
}

/** The source of the value at `path`, or of the nearest value below it. */
function sourceOf(sources: Sources, path: string): string {
  const exact = sources.get(path);
  if (exact !== undefined) return exact;
  for (const [key, source] of sources) if (key.startsWith(`${path}.`)) return source;
  return 'defaults';
}

/**
 * Loads the configuration from every source, lowest to highest: built-in defaults <
 * preset < file < env vars < runtime overrides. The preset is the one named by the
 * highest source, else the one that suits the detected environment. Throws a
 * `ConfigError` listing every problem of every source at once.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const environment =
    options.environment === undefined
      ? detectEnvironment(env)
      : { environment: options.environment, confidence: 1, reasoning: ['given by the caller'] };
  const problems: ConfigProblem[] = [];
  const layers: Layer[] = [];

  const file = options.file ?? env['BREAKWATER_CONFIG_FILE'];
  if (file !== undefined && file !== '') {
    try {
      layers.push({ source: `file:${file}`, config: readConfigFile(file) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  const known = [
    ...Object.keys(presets.production.operations),
    ...layers.flatMap((l) => Object.keys(section(l.config, 'operations'))),
  ];
  const fromEnv = readEnvConfig(env, known);
  problems.push(...fromEnv.problems);
  layers.push({ source: 'env', config: fromEnv.config, origins: fromEnv.sources });
  if (options.overrides !== undefined) {
    const hostile = documentProblems(options.overrides);
    if (hostile.length > 0) problems.push(...hostile.map((p) => from(p, 'runtime')));
    else layers.push({ source: 'runtime', config: options.overrides });
  }
  const jitless = !loadedBefore;
  loadedBefore = true;
  for (const layer of layers) problems.push(...schemaProblems(layer, jitless));

  const preset = choosePreset(layers, environment.environment);
  layers.unshift(
    { source: 'defaults', config: builtinDefaults },
    { source: `preset:${preset}`, config: presets[preset] },
  );
  const checked = mergedForChecks(layers);
  const security = checkSecurity(checked.merged, {
    production: environment.environment === 'production' || preset === 'production',
  });
  const located = (p: ConfigProblem): ConfigProblem => from(p, sourceOf(checked.sources, p.path));
  const flagged = new Set(security.errors.map((p) => p.path));
  const all = byPath([
    ...problems.filter((p) => !flagged.has(p.path)),
    ...security.errors.map(located),
  ]);
  if (all.length > 0) throw new ConfigError(all);

  const { config, defaultSources, operationSources } = resolve(layers);
  // What loads must also construct: the policies' own checks, as `wrap` runs them.
  const built = constructionProblems({ preset, ...config });
  if (built.length > 0) throw new ConfigError(byPath(built));
  return {
    config: { preset, ...config },
    preset,
    environment,
    sources: { defaults: defaultSources, operations: operationSources },
    warnings: byPath([...fromEnv.warnings, ...security.warnings.map(located)]),
    layers,
  };
}
