import {
  STAY,
  TRIP_FAILURES,
  type TripStrategy,
  type TripVerdict,
  type TripWindow,
} from './trip.js';
import { integerAtLeast } from './validate.js';

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

/** Opens the breaker after `threshold` counted failures in a row (default 5). */
export function consecutive(threshold = 5): TripStrategy {
  integerAtLeast('consecutive', 'threshold', threshold, 1);
  return {
    slowCallMs: Infinity,
    needsTime: false,
    description: { kind: 'consecutive', threshold },
    createWindow: () => new ConsecutiveWindow(threshold),
  };
}
