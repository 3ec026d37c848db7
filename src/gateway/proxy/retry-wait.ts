import type { Backoff } from '../../core/backoff/index.js';
import { isUpstreamStatusError } from '../upstream/errors.js';
import { RETRY_AFTER_CEILING_MS, RETRY_AFTER_FLOOR_MS } from './defaults.js';

/**
 * How long to wait before trying the same target again, or undefined to move on: the
 * upstream's own `Retry-After` (a zero or absurd value clamped) or the backoff; a wait that
 * would not fit in what is left of the budget moves on.
 */
export function retryWaitMs(
  backoff: Backoff,
  failedAttempt: number,
  previousDelayMs: number,
  error: unknown,
  remainingMs: number,
): number | undefined {
  const asked = isUpstreamStatusError(error) ? error.retryAfterMs : undefined;
  const wait =
    asked === undefined
      ? backoff.delayMs(failedAttempt, previousDelayMs, error)
      : Math.min(Math.max(asked, RETRY_AFTER_FLOOR_MS), RETRY_AFTER_CEILING_MS);
  return wait < remainingMs ? wait : undefined;
}
