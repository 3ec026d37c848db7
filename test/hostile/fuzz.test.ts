import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as core from '../../src/core/index.js';
import { isConfigError } from '../../src/core/errors/index.js';
import { loadConfig, validateConfig } from '../../src/node/index.js';
import { fuzzParameters, hostileTree, optionsFor } from './arbitraries.js';
import { expectCleanPrototypes } from './pollution.js';

/** How long one generated call may take before it counts as a hang (real time, generous). */
const CALL_BOUND_MS = 2_000;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(() => {
  expect(unhandled).toEqual([]);
  expectCleanPrototypes();
});

/** A construction error is a RangeError, TypeError or ConfigError whose message names its owner. */
function expectConstructionError(error: unknown): void {
  const kind = error instanceof RangeError || error instanceof TypeError || isConfigError(error);
  if (!kind) throw new Error(`construction threw ${String(error)}`, { cause: error });
  if (!isConfigError(error)) {
    expect(error.message).toMatch(/^[\w.]+: \S/);
  }
}

/** Runs one call: it must not throw synchronously, and must settle within the bound. */
async function expectSettles(call: () => Promise<unknown>): Promise<void> {
  let pending: Promise<unknown>;
  try {
    pending = call();
  } catch (error) {
    throw new Error(`a promise-returning method threw synchronously: ${String(error)}`, {
      cause: error,
    });
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), CALL_BOUND_MS);
  });
  const outcome = await Promise.race([
    pending.then(
      () => 'settled',
      () => 'settled',
    ),
    hang,
  ]);
  clearTimeout(timer);
  expect(outcome).toBe('settled');
}

/**
 * The orchestrator's calls sleep the strategies' real backoffs (seconds): they run under fake
 * timers, given an hour of virtual time to settle.
 */
async function expectSettlesInVirtualTime(call: () => Promise<unknown>): Promise<void> {
  vi.useFakeTimers();
  try {
    let settled = false;
    let pending: Promise<unknown>;
    try {
      pending = call();
    } catch (error) {
      throw new Error(`a promise-returning method threw synchronously: ${String(error)}`, {
        cause: error,
      });
    }
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(settled).toBe(true);
  } finally {
    vi.useRealTimers();
  }
}

const failing = (): Promise<never> =>
  Promise.reject(Object.assign(new Error('generated failure'), { status: 503 }));

/** The call each generated policy runs: fails, answers, or answers late, by a drawn choice. */
const protectedCall = fc.constantFrom<(ctx: core.Context) => unknown>(
  () => 'answer',
  failing,
  () => {
    throw new Error('sync failure');
  },
  (ctx) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve('late'), 5);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      });
    }),
);

/** Every public policy factory, with its option names. */
const factories: readonly [string, readonly string[], (options: unknown) => core.Policy][] = [
  [
    'retry',
    [
      'maxAttempts',
      'backoff',
      'retryOn',
      'retryOnResult',
      'maxElapsedMs',
      'respectRetryAfter',
      'wrapExhausted',
      'budget',
      'clock',
    ],
    (o) => core.retry(o as never),
  ],
  [
    'circuitBreaker',
    ['name', 'trip', 'openMs', 'halfOpen', 'isFailure', 'clock', 'initialState'],
    (o) => core.circuitBreaker(o as never),
  ],
  ['timeout', ['ms', 'mode', 'clock'], (o) => core.timeout(o as never)],
  ['bulkhead', ['maxConcurrent', 'maxQueue', 'clock'], (o) => core.bulkhead(o as never)],
  ['rateLimit', ['rate', 'intervalMs', 'burst', 'clock'], (o) => core.rateLimit(o as never)],
  ['fallback', ['to', 'on', 'clock'], (o) => core.fallback(o as never) as unknown as core.Policy],
  [
    'staleCache',
    ['key', 'ttlMs', 'maxEntries', 'store', 'clock'],
    (o) => core.staleCache<unknown>(o as never) as unknown as core.Policy,
  ],
  ['hedge', ['delayMs', 'maxHedges', 'on', 'clock'], (o) => core.hedge(o as never)],
  [
    'chaos',
    ['faultRate', 'fault', 'latencyRate', 'latencyMs', 'enabled', 'random', 'clock'],
    (o) => core.chaos(o as never),
  ],
  [
    'fallbackChain',
    ['maxAttempts', 'clock'],
    (o) =>
      core.fallbackChain(
        [{ name: 'alt', priority: 1, run: () => 'alt' }],
        o as never,
      ) as unknown as core.Policy,
  ],
  [
    'retry+exponential',
    ['initialMs', 'multiplier', 'maxMs', 'jitter', 'random'],
    (o) => core.retry({ backoff: core.exponential(o as never), maxAttempts: 2 }),
  ],
  [
    'retry+linear',
    ['initialMs', 'stepMs', 'maxMs', 'jitter'],
    (o) => core.retry({ backoff: core.linear(o as never), maxAttempts: 2 }),
  ],
  [
    'circuitBreaker+failureRate',
    ['threshold', 'minimumCalls', 'window', 'slowCall'],
    (o) => core.circuitBreaker({ trip: core.failureRate(o as never) }),
  ],
  [
    'retry+retryBudget',
    ['ratio', 'minRetriesPerSecond', 'windowMs', 'clock'],
    (o) => core.retry({ budget: core.retryBudget(o as never), backoff: core.constant(0) }),
  ],
];

describe('fuzz: every public factory', () => {
  it.each(factories)(
    '%s: a clear error at construction, or calls that settle',
    async (_, names, make) => {
      await fc.assert(
        fc.asyncProperty(optionsFor(names), protectedCall, async (options, call) => {
          let policy: core.Policy;
          try {
            policy = make(options);
          } catch (error) {
            expectConstructionError(error);
            return;
          }
          const controller = new AbortController();
          const abort = setTimeout(
            () => controller.abort(new Error('the test stopped waiting')),
            20,
          );
          try {
            await expectSettles(() => policy.execute(call, controller.signal));
            await expectSettles(() => policy.executeDetailed(call, controller.signal));
          } finally {
            clearTimeout(abort);
          }
          expectCleanPrototypes();
        }),
        fuzzParameters,
      );
    },
  );

  it('health, recovery and capability objects: clear errors or settled checks', async () => {
    await fc.assert(
      fc.asyncProperty(
        optionsFor([
          'check',
          'cacheTtlMs',
          'timeoutMs',
          'unhealthyThreshold',
          'onUnhealthy',
          'onHealthy',
          'clock',
        ]),
        async (options) => {
          let probe: core.HealthProbe;
          try {
            probe = new core.HealthProbe(options as never);
          } catch (error) {
            expectConstructionError(error);
            return;
          }
          await expectSettles(() => probe.check({ force: true }));
        },
      ),
      fuzzParameters,
    );
  });
});

describe('fuzz: the orchestrator', () => {
  it('createResilience, wrap and updateConfig: ConfigError or settled calls', async () => {
    await fc.assert(
      fc.asyncProperty(
        optionsFor(['preset', 'config', 'clock', 'isTransient', 'validate', 'store']),
        optionsFor(['strategy', 'config', 'fallback']),
        hostileTree,
        protectedCall,
        async (options, wrapOptions, patch, call) => {
          let resilience: core.Resilience;
          try {
            resilience = core.createResilience(options as never);
          } catch (error) {
            expectConstructionError(error);
            return;
          }
          let wrapped: (() => Promise<unknown>) | undefined;
          try {
            wrapped = resilience.wrap(
              'fuzzed',
              () => call({ signal: new AbortController().signal, attempt: 1 }),
              wrapOptions as never,
            );
          } catch (error) {
            expectConstructionError(error);
          }
          try {
            resilience.updateConfig(patch);
          } catch (error) {
            expectConstructionError(error);
          }
          if (wrapped !== undefined) await expectSettlesInVirtualTime(wrapped);
          const metrics = resilience.metrics('fuzzed');
          if (metrics !== undefined) {
            expect(metrics.totalCalls).toBe(metrics.successfulCalls + metrics.failedCalls);
          }
          for (const name of ['fuzzed']) resilience.breaker(name)?.dispose();
        },
      ),
      fuzzParameters,
    );
  });
});

describe('fuzz: loading and validating configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'breakwater-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validateConfig answers for any document, reserved keys included', () => {
    fc.assert(
      fc.property(
        hostileTree,
        fc.constantFrom('production', 'development', undefined),
        (document, environment) => {
          const result = validateConfig(document, environment === undefined ? {} : { environment });
          expect(typeof result.valid).toBe('boolean');
          expectCleanPrototypes();
        },
      ),
      fuzzParameters,
    );
  });

  it('loadConfig from env vars and overrides: a loaded config or a ConfigError', () => {
    const name = fc.oneof(
      fc.constantFrom(
        'API_RETRY_MAX',
        'API_RETRY_BASE_DELAY',
        'CIRCUIT_BREAKER_TIMEOUT',
        'BREAKWATER_PRESET',
        'BREAKWATER_constructor',
        'BREAKWATER___proto__',
      ),
      fc
        .tuple(
          fc.constantFrom('BREAKWATER_', 'BREAKWATER_OP_'),
          fc.constantFrom('', '__PROTO___', 'CONSTRUCTOR_', 'SUMMARIZE_', 'PROTOTYPE_'),
          fc.constantFrom(
            'RETRY_MAX_ATTEMPTS',
            'TIMEOUT_MS',
            'RATE_LIMIT_RATE',
            'CIRCUIT_BREAKER_OPEN_MS',
            'RETRY_JITTER',
            'STRATEGY',
            'NOPE',
          ),
        )
        .map((parts) => parts.join('')),
    );
    const value = fc.oneof(
      fc.constantFrom('inf', '-1', '1e309', 'NaN', '3', '0', 'production', 'x'.repeat(2_000)),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(name, value, { maxKeys: 6 }),
        fc.option(hostileTree, { nil: undefined }),
        (env, overrides) => {
          try {
            loadConfig({ env, ...(overrides === undefined ? {} : { overrides }) });
          } catch (error) {
            if (!isConfigError(error)) throw error;
          }
          expectCleanPrototypes();
        },
      ),
      fuzzParameters,
    );
  });

  it('config files, JSON and YAML, deep, huge and bombs: a config or a ConfigError', () => {
    const yamlish = fc.oneof(
      hostileTree.map((tree) => ({ ext: 'json', text: JSON.stringify(tree) ?? 'null' })),
      fc
        .array(
          fc.constantFrom(
            'operations:',
            '  __proto__:',
            '  a:',
            '    retry: {maxAttempts: 3}',
            '&x [1, 2]',
            '*x',
            '- ',
            '[[[[',
            ']]',
            '{',
            '}',
            ': :',
            'defaults:',
            '  timeout: 1e400',
            '  strategy: balanced',
            '\t',
          ),
          { maxLength: 12 },
        )
        .map((lines) => ({ ext: 'yaml', text: lines.join('\n') })),
      fc
        .integer({ min: 1, max: 20_000 })
        .map((depth) => ({ ext: 'json', text: `${'['.repeat(depth)}${']'.repeat(depth)}` })),
      fc.integer({ min: 2, max: 12 }).map((levels) => ({ ext: 'yaml', text: bomb(levels) })),
      fc.integer({ min: 1, max: 3_000_000 }).map((size) => ({
        ext: 'json',
        text: `{"operations":{},"x":"${'y'.repeat(size % 3 === 0 ? size : 10)}"}`,
      })),
    );
    let n = 0;
    fc.assert(
      fc.property(yamlish, ({ ext, text }) => {
        const file = join(dir, `case-${n++}.${ext}`);
        writeFileSync(file, text);
        try {
          loadConfig({ env: {}, file });
        } catch (error) {
          if (!isConfigError(error)) throw error;
        }
        expectCleanPrototypes();
      }),
      fuzzParameters,
    );
  });
});

/** A YAML "billion laughs": each level lists the previous one ten times. */
function bomb(levels: number): string {
  const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++) {
    lines.push(`l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]`);
  }
  lines.push(`operations: { a: { retry: { maxAttempts: 2 } }, b: *l${levels - 1} }`);
  return lines.join('\n');
}
