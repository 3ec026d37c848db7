import { isTransient } from '../classification/index.js';
import { hasKind } from '../errors/base.js';

/** breakwater's own rejections of a call that never ran: they say nothing about the service. */
const LOCAL_REJECTIONS = ['CircuitOpenError', 'BulkheadRejectedError', 'RateLimiterRejectedError'];

/**
 * The default `isFailure`: transient errors and timeouts count against the service;
 * permanent ones (a 4xx, a caller's abort) do not, since the service answered or was never
 * asked; nor does a local rejection by another policy.
 */
export function countsAsFailure(error: unknown): boolean {
  for (const kind of LOCAL_REJECTIONS) if (hasKind(error, kind)) return false;
  return isTransient(error);
}
