import type { CircuitBreaker } from '../breaker/circuit-breaker.js';
import type { CircuitStore } from '../breaker/store.js';
import { isTransient as defaultIsTransient } from '../classification/index.js';
import { systemClock, wallTime, type Clock } from '../clock.js';
import { ConfigError, type ConfigProblem } from '../errors/index.js';
import { abortReason } from '../abort.js';
import { EventHub, type Unsubscribe } from '../events.js';
import { loggingObserver } from '../logging/log-observer.js';
import { checkLogger, type Logger } from '../logging/logger.js';
import { checkClock, checkFunction, checkName, fail, optionalFunction } from '../option-checks.js';
import type { OperationMetrics } from '../metrics/operation-metrics.js';
import {
  withProvenance,
  type Context,
  type DetailedResult,
  type Operation,
  type Provenance,
} from '../policy.js';
import type { PresetName } from '../presets/index.js';
import { AuditTrail, diffPaths, type AuditEntry, type BreakerCommand } from './audit.js';
import { codeSettings, streamSettings } from './code-settings.js';
import { ConfigLayers } from './config-layers.js';
import type { OperationConfig, ResilienceConfig, StrategyName } from './config.js';
import { allMetricsOf, healthOf, type AllMetrics, type ResilienceHealth } from './health.js';
import { applyWithContext, currentContext } from './current-context.js';
import { buildLayers, type LayerEnv, type Layers } from './layers.js';
import { observerMethods, type ObserverEvents, type ResilienceObserver } from './observer.js';
import { RECORD_CALLS, type CallRecorder } from './call-recorder.js';
import { OperationEntry, type OperationEnv } from './operation.js';
import { documentProblems } from './document-limits.js';
import { shapeProblems } from './shape.js';
import { resolveOperation, type CodeSettings } from './resolve.js';
import { strategies, type Strategy } from './strategies.js';
import type { StreamOperation, StreamSource } from '../stream/open.js';
import { streamLimits, type StreamOptions } from '../stream/options.js';
import { operationStream } from './stream-call.js';
import type {
  AnyFunction,
  AsyncFunction,
  ResultOf,
  StreamWrapOptions,
  StreamingFunction,
  WrapOptions,
  Wrapped,
  WrappedStream,
} from './wrap-types.js';

export interface ResilienceOptions {
  /**
   * Where to start from: a built-in preset by name (`'simple'`, `'development'`,
   * `'production'`) or a preset's data (a default strategy plus per-operation overrides).
   */
  readonly preset?: PresetName | ResilienceConfig;
  /**
   * Laid over the preset (a JSON merge patch: `null` removes a key); its own `preset`
   * field names the preset when the `preset` option is absent.
   */
  readonly config?: ResilienceConfig;
  /** Where breakers keep their state; each breaker keeps its own in memory when absent. */
  readonly store?: CircuitStore;
  readonly clock?: Clock;
  /** Which errors are worth retrying and may be answered by a fallback; default `isTransient`. */
  readonly isTransient?: (error: unknown) => boolean;
  /**
   * Checks a whole configuration before it applies (the node layer plugs in its schema and
   * security rules here); any problem rejects the change with a `ConfigError`.
   */
  readonly validate?: (config: ResilienceConfig) => readonly ConfigProblem[];
  /**
   * A pino-style logger (`info|warn|error(object, message)`, `debug` optional) for
   * transitions, retries, give-ups, fallbacks, rejections and configuration changes:
   * stable fields, rate-limited per operation, secrets redacted.
   */
  readonly logger?: Logger;
}

/** `execute`'s options: the operation's settings (used when it is first registered) and the call's. */
export interface ExecuteOptions<T> {
  readonly strategy?: StrategyName | Strategy;
  readonly config?: OperationConfig;
  readonly fallback?: (error: unknown) => T | PromiseLike<T>;
  readonly signal?: AbortSignal;
}

/** `executeStream`'s options: the operation's settings and the call's, as for `execute`. */
export interface ExecuteStreamOptions<T> {
  readonly strategy?: StrategyName | Strategy;
  readonly config?: OperationConfig;
  readonly stream?: Omit<StreamOptions<T>, 'clock'>;
  /**
   * Answers with another stream, called as `fallback(error, ctx)`: `execute`'s fallback,
   * plus its own attempt's context (whose signal closes its request when the stream stops).
   */
  readonly fallback?: (error: unknown, ctx: Context) => StreamSource<T>;
  readonly signal?: AbortSignal;
}

export interface UpdateOptions {
  /** Where the change came from, for the audit trail; default `'runtime'`. */
  readonly source?: string;
  readonly actor?: string;
}

const OWNER = 'createResilience';

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** `createResilience`'s own options, checked before any of them is used. */
function checkOptions(options: ResilienceOptions): void {
  if (!isObject(options) || Array.isArray(options)) fail(OWNER, 'options', 'an object', options);
  checkClock(OWNER, options.clock);
  optionalFunction(OWNER, 'isTransient', options.isTransient);
  optionalFunction(OWNER, 'validate', options.validate);
  const { preset, config, store } = options;
  if (preset !== undefined && typeof preset !== 'string' && !isObject(preset)) {
    fail(OWNER, 'preset', 'a preset name or a preset object', preset);
  }
  if (config !== undefined && (!isObject(config) || Array.isArray(config))) {
    fail(OWNER, 'config', 'a configuration object', config);
  }
  if (store !== undefined && typeof (store as { attach?: unknown } | null)?.attach !== 'function') {
    fail(OWNER, 'store', 'a CircuitStore (memoryStore(), fileStore(…), redisStore(…))', store);
  }
}

/**
 * Named operations, each with its own layers (retry, breaker, timeout, …), metrics and
 * health, configured by strategy and by data that can change at runtime.
 */
export class Resilience {
  /** The built-in strategies' settings: `resilience.strategies.critical.retry.maxAttempts === 7`. */
  readonly strategies = strategies;
  private readonly entries = new Map<string, OperationEntry>();
  private readonly audit = new AuditTrail();
  private readonly layerEnv: LayerEnv;
  private readonly operationEnv: OperationEnv;
  private readonly clock: Clock;
  private readonly validateConfig: ResilienceOptions['validate'];
  /** The configuration in force, and the preset and patches it is made of. */
  private layers: ConfigLayers;

  constructor(options: ResilienceOptions = {}) {
    checkOptions(options);
    this.clock = options.clock ?? systemClock;
    const isTransient = options.isTransient ?? ((error: unknown) => defaultIsTransient(error));
    this.layerEnv = { clock: this.clock, store: options.store, isTransient: options.isTransient };
    this.operationEnv = {
      clock: this.clock,
      isTransient,
      hub: undefined,
      callStartsWatched: false,
      callEndsWatched: false,
      recorders: [],
      callsTimed: false,
    };
    this.validateConfig = options.validate;
    const hostile = [
      ...documentProblems(options.config, 'config'),
      ...documentProblems(options.preset, 'preset'),
    ];
    if (hostile.length > 0) throw new ConfigError(hostile);
    const preset = options.preset ?? (options.config?.preset as PresetName | undefined);
    this.layers = ConfigLayers.of(preset, options.config);
    const shape = shapeProblems(this.current);
    const problems = shape.length > 0 ? shape : runValidate(this.validateConfig, this.current);
    if (problems.length > 0) throw new ConfigError(problems);
    const logger = checkLogger('createResilience', options.logger);
    if (logger !== undefined) this.observe(loggingObserver(logger, this.clock));
  }

  /** The configuration in force (preset, file and runtime updates applied). */
  config(): ResilienceConfig {
    return this.current;
  }

  private get current(): ResilienceConfig {
    return this.layers.current;
  }

  /**
   * Wraps `fn` as the operation `operation`: calls go through the operation's layers, and
   * the fallback, when one is given, answers as `fallback(error, ...args)`. An unknown
   * strategy name throws here, listing the valid ones.
   */
  wrap<F extends AnyFunction>(operation: string, fn: F, options: WrapOptions<F> = {}): Wrapped<F> {
    checkFunction('resilience.wrap', 'fn', fn);
    checkWrapOptions(options);
    const code = codeSettings(options);
    let entry = this.register(operation, code);
    const fallback = options.fallback;
    const register = (): OperationEntry => (entry = this.register(operation, code));
    // One function per call path, kept small and flat: this is the hot path of every call
    // (BENCHMARKS.md "`wrap`, balanced strategy").
    const run = (
      self: ThisParameterType<F>,
      args: Parameters<F>,
      provenance: Provenance | undefined,
    ): Promise<ResultOf<F>> =>
      (entry.retired ? register() : entry).run(
        (ctx) => applyWithContext(ctx, fn, self, args) as ResultOf<F> | PromiseLike<ResultOf<F>>,
        undefined,
        fallback === undefined ? undefined : (error) => fallback(error, ...args),
        provenance,
      );
    const clock = this.clock;
    const wrapped = function (this: ThisParameterType<F>, ...args: Parameters<F>) {
      return run(this, args, undefined);
    };
    const detailed = function (this: ThisParameterType<F>, ...args: Parameters<F>) {
      return withProvenance(clock, (provenance) => run(this, args, provenance));
    };
    Object.defineProperty(wrapped, 'name', { value: fn.name || operation });
    return Object.assign(wrapped, { operation, detailed }) as unknown as Wrapped<F>;
  }

  /**
   * Wraps a streaming function as the operation `operation` (SPEC §9): the returned function
   * takes `fn`'s parameters and returns an `AsyncIterable` of its chunks. Until the first
   * chunk the operation's layers act as for `wrap` (retries, breaker, timeout, fallback);
   * after it, a stall, an error or an incomplete end is thrown as `StreamInterruptedError`
   * and counted as the call's failure. As with `wrap`, `fn` gets only the caller's
   * arguments: hand `resilience.signal()` (the attempt's signal) to the SDK before the first
   * `await`, so that a stopped stream closes its request.
   */
  wrapStream<A extends unknown[], T>(
    operation: string,
    fn: StreamingFunction<A, T>,
    options: StreamWrapOptions<A, T> = {},
  ): WrappedStream<A, T> {
    checkFunction('resilience.wrapStream', 'fn', fn);
    checkWrapOptions(options, 'resilience.wrapStream');
    const isComplete = this.checkStream('resilience.wrapStream', options.stream);
    const code = codeSettings(streamSettings(options));
    let entry = this.register(operation, code);
    const entryOf = (): OperationEntry =>
      entry.retired ? (entry = this.register(operation, code)) : entry;
    const { fallback } = options;
    const clock = this.clock;
    const wrapped = function (this: unknown, ...args: A): AsyncIterable<T> {
      return operationStream(
        entryOf,
        () => fn.apply(this, args),
        undefined,
        fallback === undefined ? undefined : (error) => fallback.call(this, error, ...args),
        isComplete,
        clock,
      );
    };
    Object.defineProperty(wrapped, 'name', { value: fn.name || operation });
    return Object.assign(wrapped, { operation });
  }

  /** Streams `fn` once as the operation `operation`, registering the operation on first use. */
  executeStream<T>(
    operation: string,
    fn: StreamOperation<T>,
    options: ExecuteStreamOptions<T> = {},
  ): AsyncIterable<T> {
    const isComplete = this.checkStream('resilience.executeStream', options.stream);
    const settings = streamSettings(options);
    return operationStream(
      () => this.entryFor(operation, settings),
      fn,
      options.signal,
      options.fallback,
      isComplete,
      this.clock,
    );
  }

  /**
   * The context of the attempt that is starting the wrapped function: call it inside a
   * function given to `wrap` (or a `@resilient` method), before its first `await`. Each
   * attempt (a retry, a hedge) has its own; its signal aborts at the operation's timeout
   * or when the caller's signal does.
   *
   * ```ts
   * const ask = resilience.wrap('ask', (q: string) =>
   *   openai.responses.create({ model, input: q }, { signal: resilience.signal() }),
   * );
   * ```
   */
  context(): Context {
    return currentContext('resilience.context()');
  }

  /** `resilience.context().signal`: the starting attempt's signal, to hand to the client you call. */
  signal(): AbortSignal {
    return currentContext('resilience.signal()').signal;
  }

  /**
   * A TC39 method decorator: `@resilience.resilient('qa', 'critical') async answer(q) {…}`.
   * The method keeps its type; `this` is passed through. Only a method that answers with a
   * promise may be decorated: a synchronous one would keep its type but answer with a promise.
   */
  resilient(
    operation: string,
    strategy?: StrategyName | Strategy,
    options: Omit<WrapOptions<AnyFunction>, 'strategy' | 'fallback'> = {},
  ) {
    const settings = { ...options, ...(strategy === undefined ? {} : { strategy }) };
    return <F extends AsyncFunction>(method: F, _context: ClassMethodDecoratorContext): F =>
      this.wrap(operation, method, settings) as unknown as F;
  }

  /** Runs `fn` once as the operation `operation`, registering the operation on first use. */
  execute<T>(operation: string, fn: Operation<T>, options: ExecuteOptions<T> = {}): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return this.entryFor(operation, options).run(fn, signal, options.fallback, undefined);
  }

  /** `execute`, answering with where the value came from. */
  executeDetailed<T>(
    operation: string,
    fn: Operation<T>,
    options: ExecuteOptions<T> = {},
  ): Promise<DetailedResult<T>> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const entry = this.entryFor(operation, options);
    return withProvenance(this.clock, (provenance) =>
      entry.run(fn, signal, options.fallback, provenance),
    );
  }

  /** The operation's breaker; undefined when the operation is unknown or has none. */
  breaker(operation: string): CircuitBreaker | undefined {
    return this.entries.get(operation)?.layers.breaker;
  }

  /** The operation's metrics; undefined when the operation is unknown. */
  metrics(operation: string): OperationMetrics | undefined {
    return this.entries.get(operation)?.metrics;
  }

  /** The names of the registered operations. */
  operations(): string[] {
    return [...this.entries.keys()];
  }

  allMetrics(): AllMetrics {
    return allMetricsOf(this.entries.values());
  }

  healthStatus(): ResilienceHealth {
    return healthOf(this.entries.values(), wallTime(this.clock), this.layerEnv.store);
  }

  /** Zeroes one operation's metrics, or every operation's. Breakers keep their state. */
  resetMetrics(operation?: string): void {
    if (operation !== undefined) this.entries.get(operation)?.metrics.reset();
    else for (const entry of this.entries.values()) entry.metrics.reset();
  }

  /**
   * Forgets an operation: its metrics and listeners go, and its breaker is disposed (it
   * leaves the store, where its last state stays). A function wrapped earlier registers
   * it afresh on its next call. Returns whether it existed.
   */
  removeOperation(operation: string): boolean {
    const entry = this.entries.get(operation);
    if (entry === undefined) return false;
    entry.retired = true;
    entry.layers.detach();
    this.entries.delete(operation);
    this.emit('onOperationRemoved', { operation });
    return true;
  }

  /** One subscription for every operation's calls, outcomes, retries and transitions. */
  observe(observer: ResilienceObserver): Unsubscribe {
    const hub = (this.operationEnv.hub ??= new EventHub<ObserverEvents>());
    const subscribe = <K extends keyof ObserverEvents>(name: K): Unsubscribe[] => {
      if (typeof observer[name] !== 'function') return [];
      // Called as a method of the observer, so a class instance keeps its `this`; looked up
      // once, as this runs on every call.
      const method = (observer as unknown as Record<K, (event: ObserverEvents[K]) => void>)[name];
      return [hub.on(name, (event) => method.call(observer, event))];
    };
    const unsubscribers = observerMethods.flatMap(subscribe);
    this.noteCallWatchers();
    return () => {
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      this.noteCallWatchers();
    };
  }

  /**
   * Subscribes a metric exporter's recorder of call ends (internal: see `CallRecorder`).
   * Every call is timed while one is subscribed, as while an observer listens for calls.
   */
  [RECORD_CALLS](recorder: CallRecorder): Unsubscribe {
    const env = this.operationEnv;
    env.recorders = [...env.recorders, recorder];
    this.noteCallWatchers();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      env.recorders = env.recorders.filter((known) => known !== recorder);
      this.noteCallWatchers();
    };
  }

  /** Keeps `OperationEnv`'s flags of who listens for or records calls true exactly while someone does. */
  private noteCallWatchers(): void {
    const env = this.operationEnv;
    env.callStartsWatched = env.hub?.has('onCallStart') === true;
    env.callEndsWatched = env.hub?.has('onCallEnd') === true;
    env.callsTimed = env.callStartsWatched || env.callEndsWatched || env.recorders.length > 0;
  }

  /**
   * Applies a change to the configuration (a JSON merge patch: objects merge, `null`
   * removes): validated first, then every affected operation's layers are built, and only
   * when all of them could be are they swapped in. Breakers keep their state and
   * metrics their counts. A patch naming another `preset` puts that preset's settings under
   * everything said since (the configuration given at creation and every update), as
   * runtime updates are the highest source. Throws `ConfigError` (and changes nothing)
   * when the change is invalid.
   */
  updateConfig(patch: unknown, options: UpdateOptions = {}): AuditEntry {
    const hostile = documentProblems(patch);
    if (hostile.length > 0) throw new ConfigError(hostile);
    const proposed = this.layers.patched(patch);
    const next = proposed.current;
    const problems = shapeProblems(next);
    if (problems.length === 0) problems.push(...runValidate(this.validateConfig, next));
    const rebuilt = new Map<OperationEntry, Layers>();
    if (problems.length === 0) {
      for (const entry of this.entries.values()) {
        let resolved;
        try {
          resolved = resolveOperation(entry.name, entry.code, next);
        } catch (error) {
          problems.push({
            path: `operations.${entry.name}.strategy`,
            message: error instanceof Error ? error.message : String(error),
            value: next.operations[entry.name]?.strategy,
            expected: `one of ${Object.keys(strategies).join(', ')}`,
          });
          continue;
        }
        const built = buildLayers(
          entry.name,
          resolved,
          this.layerEnv,
          this.hooksFor({ entry }),
          entry.layers,
        );
        if (Array.isArray(built)) problems.push(...built);
        else rebuilt.set(entry, built);
      }
    }
    if (problems.length > 0) {
      // The operations keep their current layers (and breakers); the new ones go.
      for (const [entry, layers] of rebuilt) layers.detach(entry.layers);
      throw new ConfigError(problems);
    }
    const record: AuditEntry = {
      at: new Date(wallTime(this.clock)).toISOString(),
      source: options.source ?? 'runtime',
      ...(options.actor === undefined ? {} : { actor: options.actor }),
      changes: diffPaths(this.current, next),
    };
    for (const [entry, layers] of rebuilt) {
      const old = entry.layers;
      entry.layers = layers;
      old.detach(layers);
    }
    this.layers = proposed;
    this.audit.append(record);
    this.emit('onConfigChange', record);
    return record;
  }

  /**
   * Runs an operator command on the operation's breaker and records it in the audit trail
   * with its source and actor (the change is the breaker's state, before and after).
   * Returns the entry, or undefined (and does nothing) when the operation has no breaker.
   */
  command(
    operation: string,
    command: BreakerCommand,
    options: UpdateOptions = {},
  ): AuditEntry | undefined {
    const breaker = this.breaker(operation);
    if (breaker === undefined) return undefined;
    const before = breaker.state;
    breaker[command]();
    const record: AuditEntry = {
      at: new Date(this.clock.now()).toISOString(),
      source: options.source ?? 'runtime',
      ...(options.actor === undefined ? {} : { actor: options.actor }),
      command,
      changes: [{ path: `circuits.${operation}.state`, before, after: breaker.state }],
    };
    this.audit.append(record);
    return record;
  }

  /** The applied configuration changes, oldest first (the last thousand). */
  auditTrail(): readonly AuditEntry[] {
    return this.audit.list();
  }

  /** Checks code-given stream limits at once; answers their `isComplete`. */
  private checkStream<T>(
    owner: string,
    stream: Omit<StreamOptions<T>, 'clock'> | undefined,
  ): ((chunk: T) => boolean) | undefined {
    if (stream === undefined) return undefined;
    return streamLimits(owner, stream).isComplete as ((chunk: T) => boolean) | undefined;
  }

  /** The operation's entry; the options only matter when this call registers it. */
  private entryFor(
    operation: string,
    options: { strategy?: StrategyName | Strategy; config?: OperationConfig },
  ): OperationEntry {
    return this.entries.get(operation) ?? this.register(operation, codeSettings(options));
  }

  /**
   * The operation's entry, registering it with `code` on first use; later settings from code
   * do not replace the first ones (configuration changes go through `updateConfig`).
   */
  private register(operation: string, code: CodeSettings): OperationEntry {
    const known = this.entries.get(operation);
    if (known !== undefined) return known;
    checkName('resilience', 'operation', operation);
    const resolved = resolveOperation(operation, code, this.current);
    const holder: { entry?: OperationEntry } = {};
    const hooks = this.hooksFor(holder);
    const built = buildLayers(operation, resolved, this.layerEnv, hooks, undefined);
    if (Array.isArray(built)) throw new ConfigError(built);
    const entry = new OperationEntry(operation, code, built, this.operationEnv);
    holder.entry = entry;
    this.entries.set(operation, entry);
    this.emit('onOperationAdded', { operation });
    return entry;
  }

  /** The hooks through which an operation's layers feed its metrics and the observers. */
  private hooksFor(holder: { entry?: OperationEntry | undefined }) {
    return {
      onRetry: (attempt: number, delayMs: number, error: unknown) => {
        const entry = holder.entry;
        if (entry === undefined) return;
        entry.metrics.retryAttempts++;
        this.emit('onRetry', { operation: entry.name, attempt, delayMs, error });
      },
      onStateChange: (
        from: ObserverEvents['onStateChange']['from'],
        to: ObserverEvents['onStateChange']['to'],
      ) => {
        const entry = holder.entry;
        if (entry === undefined) return;
        if (to === 'open') entry.metrics.circuitOpens++;
        this.emit('onStateChange', {
          operation: entry.name,
          from,
          to,
          at: wallTime(this.clock),
        });
      },
    };
  }

  private emit<K extends keyof ObserverEvents>(name: K, event: ObserverEvents[K]): void {
    const hub = this.operationEnv.hub;
    if (hub?.has(name)) hub.emit(name, event);
  }
}

/** The `validate` hook's problems; a hook that answers anything but a list is a TypeError. */
function runValidate(
  validate: ResilienceOptions['validate'],
  config: ResilienceConfig,
): readonly ConfigProblem[] {
  if (validate === undefined) return [];
  const problems: unknown = validate(config);
  if (!Array.isArray(problems)) {
    fail(OWNER, 'validate', 'a function returning a list of problems', problems);
  }
  return problems as readonly ConfigProblem[];
}

function checkWrapOptions(options: unknown, where = 'resilience.wrap'): void {
  if (!isObject(options) || Array.isArray(options)) fail(where, 'options', 'an object', options);
  const { fallback, config } = options as { fallback?: unknown; config?: unknown };
  optionalFunction(where, 'fallback', fallback);
  if (config !== undefined && (!isObject(config) || Array.isArray(config))) {
    fail(where, 'config', 'an operation configuration object', config);
  }
}

/** A new orchestrator; see `Resilience`. */
export function createResilience(options: ResilienceOptions = {}): Resilience {
  return new Resilience(options);
}
