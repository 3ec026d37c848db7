import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import type { BenchMeasurement, BenchSuite } from '../harness.js';
import { loaderArgs, moduleExtension } from '../paths.js';
import { parseConfigText } from '../../src/node/config/file.js';
import { loadConfig } from '../../src/node/config/load.js';
import { validateConfig } from '../../src/node/config/validate.js';

const strategies = ['aggressive', 'balanced', 'conservative', 'critical'] as const;

/**
 * A realistic 50-operation file in the README's style: block mappings down to each policy,
 * flow mappings (`retry: { maxAttempts: 4, backoff: { … } }`) below.
 */
function fiftyOperations(): string {
  const operations: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) {
    operations[`operation_${i}`] = {
      strategy: strategies[i % 4],
      retry: {
        maxAttempts: 2 + (i % 5),
        backoff: {
          kind: 'exponential',
          initialMs: 200 + i,
          multiplier: 2,
          maxMs: 20_000,
          jitter: 0.1,
        },
      },
      circuitBreaker:
        i % 3 === 0
          ? { trip: { kind: 'consecutive', threshold: 5 }, openMs: 30_000 }
          : {
              trip: {
                kind: 'failure-rate',
                threshold: 0.5,
                minimumCalls: 20,
                window: { kind: 'count', size: 100 },
              },
              openMs: 60_000,
              halfOpen: { maxCalls: 1, successesToClose: 1 },
            },
      timeout: i % 2 === 0 ? 5_000 : { ms: 10_000, mode: 'cooperative' },
      ...(i % 5 === 0 ? { bulkhead: { maxConcurrent: 10, maxQueue: 20 } } : {}),
      ...(i % 7 === 0 ? { rateLimit: { rate: 50, intervalMs: 1_000, burst: 50 } } : {}),
    };
  }
  return dump(
    { preset: 'production', defaults: { timeout: 8_000 }, operations },
    { flowLevel: 3, lineWidth: 120 },
  );
}

/** Median milliseconds of `run` over `rounds` runs, after a warm-up long enough for the JIT. */
function medianMs(run: () => unknown, rounds = 300): number {
  for (let i = 0; i < 200; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

const coldFixture = join(
  dirname(fileURLToPath(import.meta.url)),
  `../fixtures/config-cold${moduleExtension}`,
);

/** Median import and first-load times (wall and CPU) over `runs` fresh Node processes. */
function coldMs(
  file: string,
  runs = 5,
): { importMs: number; firstLoadMs: number; firstLoadCpuMs: number } {
  const samples = Array.from({ length: runs }, () => {
    const out = execFileSync(process.execPath, [...loaderArgs, coldFixture, file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    return JSON.parse(out) as { importMs: number; firstLoadMs: number; firstLoadCpuMs: number };
  });
  const median = (values: number[]) =>
    values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return {
    importMs: median(samples.map((sample) => sample.importMs)),
    firstLoadMs: median(samples.map((sample) => sample.firstLoadMs)),
    firstLoadCpuMs: median(samples.map((sample) => sample.firstLoadCpuMs)),
  };
}

const suite: BenchSuite = {
  title: 'config: load and validate a 50-operation YAML file',
  measure: () => {
    const dir = mkdtempSync(join(tmpdir(), 'breakwater-bench-config-'));
    try {
      const text = fiftyOperations();
      const file = join(dir, 'resilience.yaml');
      writeFileSync(file, text);
      const anchored = join(dir, 'anchored.yaml');
      writeFileSync(anchored, text.replace('defaults:', 'defaults: &defaults'));
      const env = { API_RETRY_MAX: '3', BREAKWATER_OP_OPERATION_7_TIMEOUT_MS: '1500' };
      const parsed = parseConfigText(text, file);
      const cold = coldMs(file);
      const results: BenchMeasurement[] = [
        {
          name: 'loadConfig: read + parse YAML + env vars + validate + resolve (50 operations)',
          library: 'breakwater',
          value: round(medianMs(() => loadConfig({ env, file, environment: 'production' }))),
          unit: 'ms',
          target: '≤ 5 ms',
        },
        {
          name: 'loadConfig, the first call in a fresh process (modules already imported)',
          library: 'breakwater',
          value: round(cold.firstLoadMs),
          unit: 'ms',
          target: '≤ 50 ms',
        },
        {
          name: 'the same first call, CPU time (moves less with the machine load than wall time)',
          library: 'breakwater',
          value: round(cold.firstLoadCpuMs),
          unit: 'ms',
        },
        {
          name: 'importing the config loader in a fresh process (zod, js-yaml)',
          library: 'breakwater',
          value: round(cold.importMs),
          unit: 'ms',
        },
        {
          name: 'loadConfig, the same file with a YAML anchor',
          library: 'breakwater',
          value: round(
            medianMs(() => loadConfig({ env, file: anchored, environment: 'production' })),
          ),
          unit: 'ms',
        },
        {
          name: 'of which: YAML parse (js-yaml)',
          library: 'breakwater',
          value: round(medianMs(() => parseConfigText(text, file))),
          unit: 'ms',
        },
        {
          name: 'of which: schema + security validation',
          library: 'breakwater',
          value: round(medianMs(() => validateConfig(parsed, { environment: 'production' }))),
          unit: 'ms',
        },
      ];
      return Promise.resolve(results);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
