import {
  STAY,
  TRIP_FAILURES,
  type TripDescription,
  type TripStrategy,
  type TripVerdict,
  type TripWindow,
} from './trip.js';
import { checkInteger } from '../option-checks.js';

/** Counts failures in a row; any counted success starts over. */
class ConsecutiveWindow implements TripWindow {
  private failures = 0;

  constructor(private readonly threshold: number) {}

  record(failure: boolean): TripVerdict {
    if (!failure) {
      this.failures = 0;
      return STAY;
    }
    return ++this.failures >= this.threshold ? TRIP_FAILURES : STAY;
  }

  clear(): void {
    this.failures = 0;
  }
}

/**
 * One field per instance: strategies are often made inline, one per breaker (BENCHMARKS.md
 * "heap per idle breaker (100,000)").
 */
class ConsecutiveTrip implements TripStrategy {
  constructor(private readonly threshold: number) {}

  get slowCallMs(): number {
    return Infinity;
  }

  get needsTime(): boolean {
    return false;
  }

  get description(): TripDescription {
    return { kind: 'consecutive', threshold: this.threshold };
  }

  createWindow(): TripWindow {
    return new ConsecutiveWindow(this.threshold);
  }
}

/** Opens the breaker after `threshold` counted failures in a row (default 5). */
export function consecutive(threshold = 5): TripStrategy {
  return new ConsecutiveTrip(checkInteger('consecutive', 'threshold', threshold, 1));
}
