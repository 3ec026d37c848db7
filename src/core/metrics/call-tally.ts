import type { CircuitState } from '../breaker/state.js';
import type { Unsubscribe } from '../events.js';
import { RECORD_CALLS, type CallRecorder } from '../orchestrator/call-recorder.js';
import type { CallEndEvent, RejectionReason } from '../orchestrator/observer.js';
import type { Resilience } from '../orchestrator/resilience.js';
import { DurationBuckets } from './duration-buckets.js';
import type { OperationLabels } from './operation-labels.js';

/** How a call ended, as exporters label it: a rejected call is `rejected` unless a fallback answered. */
export type CallOutcome = 'success' | 'failure' | 'fallback' | 'rejected';
export const callOutcomes: readonly CallOutcome[] = ['success', 'failure', 'fallback', 'rejected'];

const SUCCESS = 0;
const FAILURE = 1;
const FALLBACK = 2;
const REJECTED = 3;

/** Everything counted for one `operation` label since the tally started. */
export class OperationTally {
  /** Calls per outcome, in the order of `callOutcomes`. */
  readonly calls = [0, 0, 0, 0];
  /** Durations in seconds per outcome, made on the outcome's first timed call. */
  readonly durations: (DurationBuckets | undefined)[] = [
    undefined,
    undefined,
    undefined,
    undefined,
  ];
  retries = 0;
  readonly fallbacks = new Map<string, number>();
  readonly rejections = new Map<RejectionReason, number>();
  /** Keyed by `from` and `to`; the value keeps both for the exporter. */
  readonly transitions = new Map<
    string,
    { readonly from: CircuitState; readonly to: CircuitState; count: number }
  >();
}

const bump = <K>(map: Map<K, number>, key: K): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

/**
 * The counting side of the metric exporters: an observer that adds every call, retry,
 * fallback, rejection and transition to plain numbers per operation label, so that a call
 * costs a few increments, and the exporter turns them into its own format when it is read.
 */
export class CallTally implements CallRecorder {
  /** By label, in the order labels first appeared. */
  readonly byLabel = new Map<string, OperationTally>();
  /** By operation name, for the operations that have a label of their own. */
  private readonly byOperation = new Map<string, OperationTally>();
  private readonly unsubscribe: Unsubscribe;
  private readonly unsubscribeCalls: Unsubscribe;

  constructor(
    resilience: Resilience,
    private readonly labels: OperationLabels,
    private readonly bounds: readonly number[],
  ) {
    this.unsubscribeCalls = resilience[RECORD_CALLS](this);
    this.unsubscribe = resilience.observe({
      onRetry: (event) => this.of(event.operation).retries++,
      onStateChange: ({ operation, from, to }) => {
        const transitions = this.of(operation).transitions;
        const key = `${from}>${to}`;
        const known = transitions.get(key);
        if (known === undefined) transitions.set(key, { from, to, count: 1 });
        else known.count++;
      },
    });
  }

  /** Stops counting; what was counted stays readable. */
  close(): void {
    this.unsubscribeCalls();
    this.unsubscribe();
  }

  /** A call ended (see `CallRecorder`). */
  callEnded(
    operation: string,
    ended: CallEndEvent['outcome'],
    reason: RejectionReason | undefined,
    source: string | undefined,
    durationMs: number,
  ): void {
    const tally = this.of(operation);
    const outcome =
      ended === 'success'
        ? SUCCESS
        : ended === 'fallback'
          ? FALLBACK
          : reason !== undefined
            ? REJECTED
            : FAILURE;
    tally.calls[outcome] = (tally.calls[outcome] ?? 0) + 1;
    // NaN for a call that started before the tally subscribed: counted, not timed.
    if (durationMs === durationMs) {
      const durations = (tally.durations[outcome] ??= new DurationBuckets(this.bounds));
      durations.observe(durationMs / 1000);
    }
    if (reason !== undefined) bump(tally.rejections, reason);
    if (source !== undefined) bump(tally.fallbacks, source);
  }

  private of(operation: string): OperationTally {
    const known = this.byOperation.get(operation);
    if (known !== undefined) return known;
    const label = this.labels.of(operation);
    let tally = this.byLabel.get(label);
    if (tally === undefined) {
      tally = new OperationTally();
      this.byLabel.set(label, tally);
    }
    // Only named labels are remembered by operation: overflow names stay unbounded otherwise.
    if (label === operation) this.byOperation.set(operation, tally);
    return tally;
  }
}
