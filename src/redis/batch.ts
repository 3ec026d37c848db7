import type { TripDescription } from '../core/breaker/trip.js';

/**
 * The outcomes one replica counted since its last flush, aggregated so that its size is
 * bounded whatever the traffic and however long Redis stays away.
 */
export interface OutcomeBatch {
  record(failure: boolean, slow: boolean, now: number): void;
  /** Whether anything was recorded since the last `take`. */
  readonly pending: boolean;
  /** The batch as the merge script reads it; empties the batch. */
  take(now: number): unknown;
}

/** The trip strategy as the merge script reads it. */
export type ScriptTrip =
  | { kind: 'consecutive'; threshold: number }
  | { kind: 'count'; threshold: number; minimumCalls: number; size: number; slowRate?: number }
  | {
      kind: 'time';
      threshold: number;
      minimumCalls: number;
      ms: number;
      bucketMs: number;
      slowRate?: number;
    };

/** Time windows are merged in buckets of a twentieth of the window. */
const BUCKETS_PER_WINDOW = 20;

export function scriptTrip(trip: TripDescription): ScriptTrip {
  if (trip.kind === 'consecutive') return { kind: 'consecutive', threshold: trip.threshold };
  const slow = trip.slowCall === undefined ? {} : { slowRate: trip.slowCall.rateThreshold };
  const base = { threshold: trip.threshold, minimumCalls: trip.minimumCalls, ...slow };
  if (trip.window.kind === 'count') return { kind: 'count', size: trip.window.size, ...base };
  const bucketMs = Math.max(1, Math.ceil(trip.window.ms / BUCKETS_PER_WINDOW));
  return { kind: 'time', ms: trip.window.ms, bucketMs, ...base };
}

/** Consecutive failures: whether a success came, and the failures since the last one. */
class ConsecutiveBatch implements OutcomeBatch {
  pending = false;
  private reset = false;
  private failures = 0;

  record(failure: boolean): void {
    this.pending = true;
    if (failure) this.failures++;
    else {
      this.reset = true;
      this.failures = 0;
    }
  }

  take(): unknown {
    const batch = { reset: this.reset, failures: this.failures };
    this.pending = this.reset = false;
    this.failures = 0;
    return batch;
  }
}

const SUCCESS = 83; // 'S'
const FAILURE = 70; // 'F'
const SLOW_SUCCESS = 115; // 's'
const SLOW_FAILURE = 102; // 'f'

/** A count window: only the newest `size` outcomes can matter, kept in a ring. */
class CountBatch implements OutcomeBatch {
  pending = false;
  private readonly ring: Uint8Array;
  private next = 0;
  private filled = 0;

  constructor(private readonly size: number) {
    this.ring = new Uint8Array(size);
  }

  record(failure: boolean, slow: boolean): void {
    this.pending = true;
    this.ring[this.next] = failure
      ? slow
        ? SLOW_FAILURE
        : FAILURE
      : slow
        ? SLOW_SUCCESS
        : SUCCESS;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
    if (this.filled < this.size) this.filled++;
  }

  take(): unknown {
    const start = (this.next - this.filled + this.size) % this.size;
    let tail = '';
    for (let i = 0; i < this.filled; i++) {
      tail += String.fromCharCode(this.ring[(start + i) % this.size] ?? SUCCESS);
    }
    this.pending = false;
    this.filled = 0;
    return { tail };
  }
}

/** A time window: calls, failures and slow calls per bucket; buckets past the window go. */
class TimeBatch implements OutcomeBatch {
  pending = false;
  private buckets = new Map<number, [number, number, number]>();
  private currentStart = Number.NaN;
  private current: [number, number, number] = [0, 0, 0];

  constructor(
    private readonly ms: number,
    private readonly bucketMs: number,
  ) {}

  record(failure: boolean, slow: boolean, now: number): void {
    this.pending = true;
    const start = now - (now % this.bucketMs);
    if (start !== this.currentStart) {
      this.currentStart = start;
      this.current = this.buckets.get(start) ?? [0, 0, 0];
      this.buckets.set(start, this.current);
      this.prune(now);
    }
    this.current[0]++;
    if (failure) this.current[1]++;
    if (slow) this.current[2]++;
  }

  take(now: number): unknown {
    this.prune(now);
    const buckets = Object.fromEntries(this.buckets);
    this.buckets = new Map();
    this.currentStart = Number.NaN;
    this.pending = false;
    return { buckets };
  }

  private prune(now: number): void {
    for (const start of this.buckets.keys()) {
      if (start + this.bucketMs <= now - this.ms) this.buckets.delete(start);
    }
  }
}

export function createBatch(trip: ScriptTrip): OutcomeBatch {
  if (trip.kind === 'consecutive') return new ConsecutiveBatch();
  if (trip.kind === 'count') return new CountBatch(trip.size);
  return new TimeBatch(trip.ms, trip.bucketMs);
}
