import type { CircuitState } from '../core/breaker/state.js';
import type { Resilience } from '../core/orchestrator/resilience.js';

/** One operation over the last tick, as `/events` sends it every second. */
export interface OperationSummary {
  readonly operation: string;
  /** The breaker's state; null for an operation without a breaker. */
  readonly state: CircuitState | null;
  readonly callsPerSecond: number;
  /** Shares of the calls that finished during the tick, 0..1; null when none did. */
  readonly successShare: number | null;
  readonly fallbackShare: number | null;
  /** The 95th percentile of call durations since the metrics were last reset, ms. */
  readonly p95Ms: number;
  readonly totalCalls: number;
  readonly failureRate: number | null;
  readonly retryAfterMs: number | null;
}

interface Totals {
  calls: number;
  finished: number;
  successes: number;
  fallbacks: number;
}

/**
 * Turns the operations' cumulative counters into rates: each `next(now)` compares them with
 * the previous tick's. Operations that went away are forgotten.
 */
export class Summarizer {
  private previous = new Map<string, Totals>();
  private previousAt: number | undefined;

  constructor(private readonly resilience: Resilience) {}

  next(now: number): OperationSummary[] {
    const seconds = this.previousAt === undefined ? 0 : (now - this.previousAt) / 1000;
    this.previousAt = now;
    const current = new Map<string, Totals>();
    const summaries: OperationSummary[] = [];
    for (const operation of this.resilience.operations()) {
      const metrics = this.resilience.metrics(operation);
      if (metrics === undefined) continue;
      const totals: Totals = {
        calls: metrics.totalCalls,
        finished: metrics.successfulCalls + metrics.failedCalls,
        successes: metrics.successfulCalls,
        fallbacks: metrics.fallbackCalls,
      };
      current.set(operation, totals);
      const before = this.previous.get(operation);
      // A reset moves counters backwards: start that operation's rates over.
      const delta = (key: keyof Totals): number =>
        before === undefined ? 0 : Math.max(0, totals[key] - before[key]);
      const finished = delta('finished');
      const stats = this.resilience.breaker(operation)?.stats();
      summaries.push({
        operation,
        state: stats?.state ?? null,
        callsPerSecond: seconds > 0 ? delta('calls') / seconds : 0,
        successShare: finished === 0 ? null : Math.min(1, delta('successes') / finished),
        fallbackShare: finished === 0 ? null : Math.min(1, delta('fallbacks') / finished),
        p95Ms: metrics.toJSON().latencyMs.p95,
        totalCalls: totals.calls,
        failureRate: stats?.failureRate ?? null,
        retryAfterMs: stats?.retryAfterMs ?? null,
      });
    }
    this.previous = current;
    return summaries;
  }
}
