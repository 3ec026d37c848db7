import { STAY, TRIP_FAILURES, TRIP_SLOW, type TripVerdict } from './trip.js';

/** The thresholds a failure-rate window compares its counts against. */
export interface RateLimits {
  readonly threshold: number;
  readonly minimumCalls: number;
  /** Share of slow calls that opens the breaker; Infinity when slow calls are not tracked. */
  readonly slowRateThreshold: number;
}

/** Opens once the window holds `minimumCalls` calls and a rate reaches its threshold. */
export function rateVerdict(
  limits: RateLimits,
  total: number,
  failures: number,
  slow: number,
): TripVerdict {
  if (total < limits.minimumCalls) return STAY;
  if (failures / total >= limits.threshold) return TRIP_FAILURES;
  if (slow / total >= limits.slowRateThreshold) return TRIP_SLOW;
  return STAY;
}
