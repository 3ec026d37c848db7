import { describe, expect, it, vi } from 'vitest';
import {
  CircuitOpenError,
  circuitBreaker,
  consecutive,
  constant,
  pipeline,
  retry,
  TransientError,
} from '../../src/core/index.js';
import { ManualClock } from '../support/clock.js';

describe('the breaker in a pipeline', () => {
  it('retry outside the breaker: each attempt is counted, and an open circuit is not retried', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ trip: consecutive(2), openMs: 10_000, clock });
    const policy = pipeline(retry({ maxAttempts: 5, backoff: constant(0) }), breaker);
    const fn = vi.fn(() => Promise.reject(new TransientError('down')));
    // Attempts 1 and 2 fail and open the circuit; attempt 3 is rejected and ends the retries.
    await expect(policy.execute(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(breaker.state).toBe('open');
    clock.advance(10_000);
    await expect(policy.execute(() => 'back')).resolves.toBe('back');
    expect(breaker.state).toBe('closed');
  });
});
