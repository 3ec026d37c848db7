import { setTimeout as delay } from 'node:timers/promises';
import { createResilience, type Resilience } from '../../core/orchestrator/resilience.js';
import type { ResilienceConfig, StrategyName } from '../../core/orchestrator/config.js';
import { complete } from './client.js';
import { serveDashboard } from './dashboard.js';
import { startProvider, type SimulatedProvider } from './provider.js';
import { demoTiming, type DemoTiming } from './scenario.js';
import { WindowStats, percent, seconds, table } from './stats.js';

export interface DemoOptions {
  readonly fast: boolean;
  /** Where live lines go; nothing is printed live when absent. */
  readonly write?: (line: string) => void;
  /**
   * Told where the dashboard listens (and its admin token) once it does, and where the
   * Prometheus metrics are served: undefined when prom-client is not installed.
   */
  readonly onDashboard?: (url: string, token: string, metricsUrl: string | undefined) => void;
  /** Told when each phase of the story starts. */
  readonly onPhase?: (name: string) => void;
}

export interface OperationSummary {
  readonly strategy: StrategyName;
  readonly fallback: string;
  readonly requests: number;
  readonly answeredDirectly: number;
  readonly answeredByFallback: number;
  readonly failed: number;
  readonly retries: number;
  readonly breakerOpens: number;
  /** From the provider's recovery to the first direct answer through a closed breaker; null if it never came. */
  readonly timeToRecoverMs: number | null;
  readonly p95Ms: number;
}

export interface DemoSummary {
  readonly mode: 'fast' | 'full';
  readonly durationMs: number;
  readonly phases: readonly { name: string; mode: string; startMs: number; durationMs: number }[];
  readonly operations: Readonly<Record<string, OperationSummary>>;
  readonly totals: {
    readonly requests: number;
    readonly answeredDirectly: number;
    readonly answeredByFallback: number;
    readonly failed: number;
    readonly breakerOpens: number;
  };
  readonly transitions: readonly { atMs: number; operation: string; from: string; to: string }[];
  /** Responses the simulated providers sent, by HTTP status. */
  readonly provider: {
    readonly primary: Record<string, number>;
    readonly secondary: Record<string, number>;
  };
}

interface DemoOperation {
  readonly name: string;
  readonly strategy: StrategyName;
  readonly fallback: string;
  readonly call: (prompt: string) => Promise<string>;
}

const PROMPTS = [
  'the quarterly report',
  'the release notes',
  'the incident review',
  'the onboarding guide',
  'the pricing page',
  'the security audit',
];
const USERS = 8;

/** The demo's operations, configured as data: a strategy each, every timing scaled to the story. */
function demoConfig(timing: DemoTiming): ResilienceConfig {
  return {
    defaults: {
      timeout: { ms: timing.timeoutMs, mode: 'cooperative' },
      circuitBreaker: { openMs: timing.openMs },
      retry: {
        backoff: {
          kind: 'exponential',
          initialMs: timing.backoffInitialMs,
          multiplier: 2,
          maxMs: timing.backoffMaxMs,
          jitter: 0.1,
        },
      },
    },
    operations: {
      summarize: { strategy: 'balanced' },
      qa: { strategy: 'critical' },
      sentiment: { strategy: 'aggressive' },
    },
  };
}

function operationsOf(
  resilience: Resilience,
  primary: SimulatedProvider,
  secondary: SimulatedProvider,
  stop: AbortSignal,
): DemoOperation[] {
  const lastGood = new Map<string, string>();
  return [
    {
      name: 'summarize',
      strategy: 'balanced',
      fallback: 'stale answer',
      call: (prompt) =>
        resilience.execute(
          'summarize',
          async (ctx) => {
            const text = await complete(primary.url, `summarize ${prompt}`, ctx.signal);
            lastGood.set(prompt, text);
            return text;
          },
          {
            fallback: (error) => {
              const stale = lastGood.get(prompt);
              if (stale === undefined) throw error;
              return `(stale) ${stale}`;
            },
          },
        ),
    },
    {
      name: 'qa',
      strategy: 'critical',
      fallback: 'secondary provider',
      call: (prompt) =>
        resilience.execute(
          'qa',
          (ctx) => complete(primary.url, `what changed in ${prompt}?`, ctx.signal),
          { fallback: () => complete(secondary.url, `what changed in ${prompt}?`, stop) },
        ),
    },
    {
      name: 'sentiment',
      strategy: 'aggressive',
      fallback: 'none',
      call: (prompt) =>
        resilience.execute('sentiment', (ctx) =>
          complete(primary.url, `sentiment of ${prompt}`, ctx.signal),
        ),
    },
  ];
}

const statusCounts = (provider: SimulatedProvider): Record<string, number> =>
  Object.fromEntries(
    [...provider.served].sort(([a], [b]) => a - b).map(([s, n]) => [String(s), n]),
  );

/**
 * The whole story on one machine: a simulated provider goes healthy → slow → rate-limited →
 * down → back while simulated users call it through three operations with different
 * strategies and fallbacks. Bounded in time; leaves no server, timer or socket behind.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const timing = demoTiming(options.fast);
  const write = options.write ?? (() => undefined);
  const primary = await startProvider({
    name: 'primary',
    latencyMs: 20,
    slowLatencyMs: 700,
    rateLimitPerSecond: 40,
    retryAfterSeconds: 1,
  });
  const secondary = await startProvider({
    name: 'secondary',
    latencyMs: 60,
    slowLatencyMs: 60,
    rateLimitPerSecond: 1_000,
    retryAfterSeconds: 1,
  });
  const stop = new AbortController();
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  const resilience = createResilience({ config: demoConfig(timing) });
  const operations = operationsOf(resilience, primary, secondary, stop.signal);
  const dashboard = await serveDashboard(resilience);
  options.onDashboard?.(dashboard.url, dashboard.token, dashboard.metricsUrl);
  const windows = new Map(operations.map((op) => [op.name, new WindowStats()]));
  const transitions: DemoSummary['transitions'][number][] = [];
  const recoveredAt = new Map<string, number>();
  let backStartedAt: number | undefined;
  let phaseName = '';

  const unobserve = resilience.observe({
    onCallEnd: (event) => {
      windows.get(event.operation)?.record(event.outcome, event.durationMs);
      const at = elapsed();
      if (
        event.outcome === 'success' &&
        backStartedAt !== undefined &&
        !recoveredAt.has(event.operation) &&
        (resilience.breaker(event.operation)?.state ?? 'closed') === 'closed'
      ) {
        recoveredAt.set(event.operation, at - backStartedAt);
      }
    },
    onStateChange: (event) => {
      const atMs = elapsed();
      transitions.push({ atMs, operation: event.operation, from: event.from, to: event.to });
      write(`${seconds(atMs)}  ↯ ${event.operation}: breaker ${event.from} → ${event.to}`);
    },
  });

  const liveLines = (): void => {
    for (const op of operations) {
      const stats = windows.get(op.name);
      if (stats === undefined) continue;
      const state = resilience.breaker(op.name)?.state ?? 'none';
      const p95 = stats.latency.quantile(0.95);
      write(
        `${seconds(elapsed())}  ${phaseName.padEnd(12)} ${op.name.padEnd(10)} ${state.padEnd(9)}` +
          ` ok ${percent(stats.direct, stats.requests)}  fallback ${percent(stats.fallback, stats.requests)}` +
          `  failed ${percent(stats.failed, stats.requests)}` +
          `  p95 ${String(Math.round(p95)).padStart(5)} ms  (${stats.requests} requests)`,
      );
      stats.reset();
    }
  };

  let running = true;
  const user = async (index: number): Promise<void> => {
    for (let turn = 0; running; turn++) {
      const op = operations[(index + turn) % operations.length];
      const prompt = PROMPTS[(index * 7 + turn) % PROMPTS.length] ?? 'the report';
      if (op !== undefined) await op.call(prompt).catch(() => undefined);
      if (running) await delay(timing.thinkMs);
    }
  };

  write(`breakwater demo — simulated provider at ${primary.url}, ${USERS} users, 3 operations`);
  write(
    'operations: summarize (balanced, stale answers), qa (critical, secondary provider), sentiment (aggressive, no fallback)',
  );
  const ticker = setInterval(liveLines, timing.tickMs);
  const users = Array.from({ length: USERS }, (_, index) => user(index));
  const phases: DemoSummary['phases'][number][] = [];
  try {
    for (const phase of timing.phases) {
      phaseName = phase.name;
      primary.mode = phase.mode;
      if (phase.name === 'back') backStartedAt = elapsed();
      phases.push({
        name: phase.name,
        mode: phase.mode,
        startMs: elapsed(),
        durationMs: phase.durationMs,
      });
      write(`${seconds(elapsed())}  ── ${phase.name}: ${phase.story}`);
      options.onPhase?.(phase.name);
      await delay(phase.durationMs);
    }
  } finally {
    running = false;
    clearInterval(ticker);
    await Promise.all(users);
    stop.abort();
    unobserve();
    await Promise.all([primary.close(), secondary.close(), dashboard.close()]);
  }
  return summarize(resilience, operations, {
    mode: options.fast ? 'fast' : 'full',
    durationMs: elapsed(),
    phases,
    transitions,
    recoveredAt,
    provider: { primary: statusCounts(primary), secondary: statusCounts(secondary) },
  });
}

function summarize(
  resilience: Resilience,
  operations: readonly DemoOperation[],
  run: Pick<DemoSummary, 'mode' | 'durationMs' | 'phases' | 'transitions' | 'provider'> & {
    recoveredAt: Map<string, number>;
  },
): DemoSummary {
  const entries = operations.map((op): [string, OperationSummary] => {
    const metrics = resilience.metrics(op.name);
    const answeredByFallback = metrics?.fallbackCalls ?? 0;
    return [
      op.name,
      {
        strategy: op.strategy,
        fallback: op.fallback,
        requests: metrics?.totalCalls ?? 0,
        answeredDirectly: metrics?.successfulCalls ?? 0,
        answeredByFallback,
        failed: (metrics?.failedCalls ?? 0) - answeredByFallback,
        retries: metrics?.retryAttempts ?? 0,
        breakerOpens: metrics?.circuitOpens ?? 0,
        timeToRecoverMs: run.recoveredAt.get(op.name) ?? null,
        p95Ms: Math.round(metrics?.latency.quantile(0.95) ?? 0),
      },
    ];
  });
  const sum = (pick: (s: OperationSummary) => number): number =>
    entries.reduce((total, [, s]) => total + pick(s), 0);
  return {
    mode: run.mode,
    durationMs: run.durationMs,
    phases: run.phases,
    operations: Object.fromEntries(entries),
    totals: {
      requests: sum((s) => s.requests),
      answeredDirectly: sum((s) => s.answeredDirectly),
      answeredByFallback: sum((s) => s.answeredByFallback),
      failed: sum((s) => s.failed),
      breakerOpens: sum((s) => s.breakerOpens),
    },
    transitions: run.transitions,
    provider: run.provider,
  };
}

/** The summary as a table for the terminal. */
export function summaryTable(summary: DemoSummary): string {
  const rows = [
    [
      'operation',
      'strategy',
      'fallback',
      'requests',
      'direct',
      'by fallback',
      'failed',
      'retries',
      'opens',
      'recovered in',
      'p95',
    ],
    ...Object.entries(summary.operations).map(([name, s]) => [
      name,
      s.strategy,
      s.fallback,
      String(s.requests),
      String(s.answeredDirectly),
      String(s.answeredByFallback),
      String(s.failed),
      String(s.retries),
      String(s.breakerOpens),
      s.timeToRecoverMs === null ? 'never' : `${(s.timeToRecoverMs / 1000).toFixed(1)} s`,
      `${s.p95Ms} ms`,
    ]),
  ];
  const { totals } = summary;
  return [
    table(rows),
    '',
    `${totals.requests} requests: ${totals.answeredDirectly} answered directly, ` +
      `${totals.answeredByFallback} by a fallback, ${totals.failed} failed; ` +
      `${totals.breakerOpens} breaker opens; ${(summary.durationMs / 1000).toFixed(1)} s.`,
  ].join('\n');
}
