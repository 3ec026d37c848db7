import { LatencyWindow } from '../hedge/latency-window.js';
import type { ValidAdaptive } from './options.js';

/**
 * An adaptive timeout's deadline: a percentile of the recent successful latencies times a
 * multiplier, within `[minMs, maxMs]`, and `maxMs` until enough successes were seen. Only
 * successes are sampled: a timed-out call says only that it took longer than its deadline,
 * and counting failures that fail fast would shorten the deadline of the calls that work.
 */
export class AdaptiveDeadline {
  private readonly latencies: LatencyWindow;

  constructor(private readonly options: ValidAdaptive) {
    this.latencies = new LatencyWindow(options.window, options.percentile);
  }

  /** How long the next call may run, in milliseconds. */
  nextMs(): number {
    const { minMs, maxMs, minSamples, multiplier } = this.options;
    if (this.latencies.length < minSamples) return maxMs;
    const ms = Math.ceil(this.latencies.value() * multiplier);
    return Math.min(maxMs, Math.max(minMs, ms));
  }

  /** A call succeeded in `ms` milliseconds. */
  record(ms: number): void {
    this.latencies.record(Math.max(0, ms));
  }
}
