import { isTransient } from '../classification/index.js';
import { isLocalRejection } from '../errors/classes.js';

/**
 * The default `isFailure`: transient errors and timeouts count against the service;
 * permanent ones (a 4xx, a caller's abort) do not, since the service answered or was never
 * asked; nor does a local rejection by another policy.
 */
export function countsAsFailure(error: unknown): boolean {
  return !isLocalRejection(error) && isTransient(error);
}
