import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RateLimiterRejectedError,
  isRateLimiterRejectedError,
} from '../../src/core/errors/index.js';
import { rateLimit } from '../../src/core/rate-limit/rate-limit.js';
import { TokenBucket } from '../../src/core/rate-limit/token-bucket.js';
import { ManualClock } from '../support/clock.js';

async function retryAfter(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRateLimiterRejectedError(error)) throw new Error('expected a RateLimiterRejectedError');
  return error.retryAfterMs;
}

describe('rateLimit', () => {
  it('spends the burst, then refills continuously at rate / intervalMs per ms', async () => {
    const clock = new ManualClock(1_000);
    const limiter = rateLimit({ rate: 10, intervalMs: 1000, burst: 3, clock });
    const call = (): Promise<string> => limiter.execute(() => 'ok');
    await expect(Promise.all([call(), call(), call()])).resolves.toEqual(['ok', 'ok', 'ok']);
    expect(limiter.tokens).toBe(0);
    // One token every 100 ms: none yet, so the next whole token is exactly 100 ms away.
    expect(await retryAfter(call())).toBe(100);
    clock.advance(40);
    expect(limiter.tokens).toBeCloseTo(0.4, 10);
    expect(await retryAfter(call())).toBe(60);
    clock.advance(60);
    await expect(call()).resolves.toBe('ok');
    expect(await retryAfter(call())).toBe(100);
    // A long pause refills only up to the burst.
    clock.advance(10_000);
    expect(limiter.tokens).toBe(3);
    await Promise.all([call(), call(), call()]);
    await expect(call()).rejects.toBeInstanceOf(RateLimiterRejectedError);
  });

  it('rounds retryAfterMs up to the first millisecond at which a whole token exists', async () => {
    const clock = new ManualClock();
    const limiter = rateLimit({ rate: 3, intervalMs: 1000, burst: 1, clock });
    await limiter.execute(() => 1);
    // A token every 333.33… ms: at 333 there is not quite one, at 334 there is.
    expect(await retryAfter(limiter.execute(() => 1))).toBe(334);
    clock.advance(333);
    expect(await retryAfter(limiter.execute(() => 1))).toBe(1);
    clock.advance(1);
    await expect(limiter.execute(() => 1)).resolves.toBe(1);
  });

  it('does not run the function when it rejects, and reports the rejection as an event', async () => {
    const limiter = rateLimit({ rate: 1, intervalMs: 60_000, clock: new ManualClock() });
    const seen: (number | undefined)[][] = [];
    limiter.onRejected(({ error, retryAfterMs }) => seen.push([error.retryAfterMs, retryAfterMs]));
    let calls = 0;
    const fn = (): number => ++calls;
    await limiter.execute(fn);
    await expect(limiter.execute(fn)).rejects.toMatchObject({ retryAfterMs: 60_000 });
    expect(calls).toBe(1);
    expect(seen).toEqual([[60_000, 60_000]]);
  });

  it('defaults burst to the rate and intervalMs to one second', () => {
    const limiter = rateLimit({ rate: 5, clock: new ManualClock() });
    expect(limiter.burst).toBe(5);
    expect(limiter.intervalMs).toBe(1000);
    expect(limiter.tokens).toBe(5);
  });

  it('validates its options', () => {
    expect(() => rateLimit({ rate: 0 })).toThrow(
      new RangeError('rateLimit: rate must be a finite number > 0, got 0'),
    );
    expect(() => rateLimit({ rate: 1, intervalMs: -5 })).toThrow(
      'rateLimit: intervalMs must be a finite number > 0, got -5',
    );
    expect(() => rateLimit({ rate: 1, burst: 0.5 })).toThrow(
      'rateLimit: burst must be an integer ≥ 1, got 0.5',
    );
    expect(() => rateLimit({ rate: 1, clock: {} as never })).toThrow(TypeError);
  });

  it('never holds more than burst tokens and never grants more than burst + refill', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 100 }),
        (rate, intervalMs, burst, gaps) => {
          const bucket = new TokenBucket(rate, intervalMs, burst, 0);
          let now = 0;
          let granted = 0;
          for (const gap of gaps) {
            now += gap;
            expect(bucket.tokensAt(now)).toBeLessThanOrEqual(burst);
            const wait = bucket.take(now);
            if (wait === 0) granted++;
            else {
              expect(wait).toBeGreaterThan(0);
              // A whole token exists exactly at `wait`, not a millisecond before.
              expect(bucket.tokensAt(now + wait)).toBeGreaterThanOrEqual(1);
              expect(bucket.tokensAt(now + wait - 1)).toBeLessThan(1);
            }
          }
          expect(granted).toBeLessThanOrEqual(burst + Math.floor((now * rate) / intervalMs));
        },
      ),
      { numRuns: 300 },
    );
  });
});
