import type { CallEndEvent, RejectionReason } from './observer.js';

/**
 * What the metric exporters are told of each call's end: the facts of `onCallEnd`, handed
 * over as arguments rather than as an event object built per call for them (BENCHMARKS.md
 * "`wrap`, balanced, Prometheus exporter attached"). Internal: subscribed through
 * `Resilience[RECORD_CALLS]`; observers keep `observe()`.
 */
export interface CallRecorder {
  /** As `CallEndEvent`: `reason` when the call was refused, `source` when a fallback answered. */
  callEnded(
    operation: string,
    outcome: CallEndEvent['outcome'],
    reason: RejectionReason | undefined,
    source: string | undefined,
    durationMs: number,
  ): void;
}

/** The key of the orchestrator's method that subscribes a `CallRecorder`. */
export const RECORD_CALLS: unique symbol = Symbol('breakwater.record-calls');
