import type { Clock } from '../clock.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';

/** `OperationMetrics.toJSON()`: plain data, timestamps as ISO strings (null when never). */
export interface OperationMetricsJSON {
  readonly operation: string;
  readonly totalCalls: number;
  readonly successfulCalls: number;
  readonly failedCalls: number;
  readonly retryAttempts: number;
  readonly fallbackCalls: number;
  readonly rejectedCalls: number;
  readonly circuitOpens: number;
  readonly successRate: number;
  readonly lastSuccess: string | null;
  readonly lastFailure: string | null;
  readonly latencyMs: LatencySummary;
}

/**
 * One operation's counters. Every finished call is exactly one of successful or failed; a
 * call answered by the fallback and a call rejected without running (open circuit, full
 * bulkhead, rate limit) are failed calls, also counted in `fallbackCalls` / `rejectedCalls`.
 */
export class OperationMetrics {
  totalCalls = 0;
  successfulCalls = 0;
  failedCalls = 0;
  /** Retries made (attempts after the first). */
  retryAttempts = 0;
  fallbackCalls = 0;
  rejectedCalls = 0;
  circuitOpens = 0;
  lastSuccessAt: number | undefined;
  lastFailureAt: number | undefined;
  /** Duration of whole calls (retries and fallback included), in milliseconds. */
  readonly latency = new LatencyHistogram();

  constructor(
    readonly operation: string,
    private readonly clock: Clock,
  ) {}

  get lastSuccess(): Date | undefined {
    return this.lastSuccessAt === undefined ? undefined : new Date(this.lastSuccessAt);
  }

  get lastFailure(): Date | undefined {
    return this.lastFailureAt === undefined ? undefined : new Date(this.lastFailureAt);
  }

  /** Successful calls over finished calls, 0..1; 1 while nothing has finished. */
  get successRate(): number {
    const finished = this.successfulCalls + this.failedCalls;
    return finished === 0 ? 1 : this.successfulCalls / finished;
  }

  /** Calls started but not finished yet. */
  get inFlight(): number {
    return this.totalCalls - this.successfulCalls - this.failedCalls;
  }

  recordSuccess(durationMs: number): void {
    this.successfulCalls++;
    this.lastSuccessAt = this.clock.now();
    this.latency.record(durationMs);
  }

  recordFailure(durationMs: number): void {
    this.failedCalls++;
    this.lastFailureAt = this.clock.now();
    this.latency.record(durationMs);
  }

  reset(): void {
    this.totalCalls = 0;
    this.successfulCalls = 0;
    this.failedCalls = 0;
    this.retryAttempts = 0;
    this.fallbackCalls = 0;
    this.rejectedCalls = 0;
    this.circuitOpens = 0;
    this.lastSuccessAt = undefined;
    this.lastFailureAt = undefined;
    this.latency.reset();
  }

  toJSON(): OperationMetricsJSON {
    return {
      operation: this.operation,
      totalCalls: this.totalCalls,
      successfulCalls: this.successfulCalls,
      failedCalls: this.failedCalls,
      retryAttempts: this.retryAttempts,
      fallbackCalls: this.fallbackCalls,
      rejectedCalls: this.rejectedCalls,
      circuitOpens: this.circuitOpens,
      successRate: this.successRate,
      lastSuccess: this.lastSuccess?.toISOString() ?? null,
      lastFailure: this.lastFailure?.toISOString() ?? null,
      latencyMs: this.latency.summary(),
    };
  }
}
