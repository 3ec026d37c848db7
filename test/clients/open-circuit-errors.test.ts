import { describe, expect, it } from 'vitest';
import { circuitBreaker, isCircuitOpenError, type CircuitOpenError } from '../../src/core/index.js';
import { failureOf } from './suite.js';

describe('callers rejected by one open circuit', () => {
  it('each hold an error of their own: changing one changes nothing in the other', async () => {
    let now = 0;
    const breaker = circuitBreaker({ openMs: 60_000, clock: { now: () => now } });
    // Open it for real: five transient failures (the default trip).
    for (let i = 0; i < 5; i++) {
      await failureOf(breaker.execute(() => Promise.reject(new Error('down'))));
    }
    expect(breaker.state).toBe('open');
    const a = (await failureOf(breaker.execute(() => 1))) as CircuitOpenError;
    now = 10_000;
    const b = (await failureOf(breaker.execute(() => 1))) as CircuitOpenError;
    expect(isCircuitOpenError(a) && isCircuitOpenError(b)).toBe(true);
    expect(a).not.toBe(b);
    expect(a.retryAfterMs).toBe(60_000);
    expect(b.retryAfterMs).toBe(50_000);
    (a as CircuitOpenError & { requestId?: string }).requestId = 'caller-a';
    expect((b as CircuitOpenError & { requestId?: string }).requestId).toBeUndefined();
    expect(a.stack === undefined || !a.stack.includes('\n    at ')).toBe(true);
    // Concurrent callers too.
    const [c, d] = await Promise.all([
      failureOf(breaker.execute(() => 1)),
      failureOf(breaker.execute(() => 1)),
    ]);
    expect(c).not.toBe(d);
  });
});
