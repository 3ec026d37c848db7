import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constant, customBackoff, exponential, linear } from '../../src/core/backoff/index.js';

/** A random source that replays `values` in a loop. */
function replay(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

function schedule(backoff: ReturnType<typeof exponential>, attempts: number): number[] {
  const delays: number[] = [];
  let previous = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    previous = backoff.delayMs(attempt, previous, new Error('x'));
    delays.push(previous);
  }
  return delays;
}

describe('exponential', () => {
  it('the seed 003 schedule is one line: 1 s, 2 s, 4 s … capped at 30 s, ±10 %', () => {
    const seed003 = exponential({ initialMs: 1000, multiplier: 2, maxMs: 30_000, jitter: 0.1 });
    expect(seed003.maxMs).toBe(30_000);
    const centred = exponential({
      initialMs: 1000,
      multiplier: 2,
      maxMs: 30_000,
      jitter: 0.1,
      random: () => 0.5,
    });
    expect(schedule(centred, 7)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    const low = exponential({ jitter: 0.1, random: () => 0 });
    expect(schedule(low, 6)).toEqual([900, 1800, 3600, 7200, 14_400, 27_000]);
    const high = exponential({ jitter: 0.1, random: () => 0.999_999 });
    const highs = schedule(high, 6);
    expect(highs[0]).toBeCloseTo(1100, 2);
    expect(highs[3]).toBeCloseTo(8800, 1);
    expect(highs[5]).toBe(30_000);
  });

  it('with no options it is the retry default (1 s ×2, 30 s cap, ±10 %)', () => {
    expect(schedule(exponential({ random: () => 0.5 }), 6)).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000,
    ]);
  });

  it("jitter 'none' is exact", () => {
    const backoff = exponential({ initialMs: 100, multiplier: 3, maxMs: 5000, jitter: 'none' });
    expect(schedule(backoff, 6)).toEqual([100, 300, 900, 2700, 5000, 5000]);
  });

  it("jitter 'full' is uniform in [0, delay]", () => {
    const backoff = exponential({ initialMs: 100, jitter: 'full', random: replay(0, 0.5, 0.25) });
    expect(schedule(backoff, 3)).toEqual([0, 100, 100]);
  });

  it("jitter 'equal' is uniform in [delay / 2, delay]", () => {
    const backoff = exponential({ initialMs: 100, jitter: 'equal', random: replay(0, 0.5, 1) });
    expect(schedule(backoff, 3)).toEqual([50, 150, 400]);
  });

  it("jitter 'decorrelated' grows from the previous delay, within [initial, 3 × previous]", () => {
    const backoff = exponential({
      initialMs: 100,
      maxMs: 1000,
      jitter: 'decorrelated',
      random: () => 1,
    });
    expect(schedule(backoff, 4)).toEqual([300, 900, 1000, 1000]);
    const low = exponential({
      initialMs: 100,
      maxMs: 1000,
      jitter: 'decorrelated',
      random: () => 0,
    });
    expect(schedule(low, 3)).toEqual([100, 100, 100]);
    const mid = exponential({
      initialMs: 100,
      maxMs: 10_000,
      jitter: 'decorrelated',
      random: () => 0.5,
    });
    expect(mid.delayMs(5, 400, undefined)).toBe(100 + 0.5 * (1200 - 100));
  });

  it('is deterministic under an injected random source', () => {
    const make = () => exponential({ jitter: 'full', random: replay(0.1, 0.7, 0.3, 0.9) });
    expect(schedule(make(), 8)).toEqual(schedule(make(), 8));
  });

  it('rejects invalid options naming the option, the value and the range', () => {
    expect(() => exponential({ initialMs: -1 })).toThrow(
      'exponential: initialMs must be a finite number ≥ 0, got -1',
    );
    expect(() => exponential({ multiplier: 0.5 })).toThrow(
      /multiplier must be a finite number ≥ 1, got 0.5/,
    );
    expect(() => exponential({ initialMs: 100, maxMs: 50 })).toThrow(
      /maxMs must be a number ≥ 100 \(or Infinity\), got 50/,
    );
    expect(() => exponential({ jitter: 2 })).toThrow(
      /exponential: jitter must be a number ≥ 0 and ≤ 1, got 2/,
    );
    expect(() => exponential({ jitter: 'wild' as never })).toThrow(TypeError);
    expect(() => exponential({ initialMs: Number.NaN })).toThrow(
      new RangeError('exponential: initialMs must be a finite number ≥ 0, got NaN'),
    );
    expect(() => exponential({ random: 3 as never })).toThrow(/random must be a function/);
  });

  it('property: every delay is within [0, maxMs] and the un-jittered schedule never decreases', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.oneof(
          fc.constantFrom('none', 'full', 'equal', 'decorrelated' as const),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1 }),
        fc.integer({ min: 1, max: 60 }),
        (initialMs, multiplier, extra, jitter, randoms, attempts) => {
          const maxMs = initialMs + extra;
          const backoff = exponential({
            initialMs,
            multiplier,
            maxMs,
            jitter,
            random: replay(...randoms),
          });
          let previous = 0;
          for (let attempt = 1; attempt <= attempts; attempt++) {
            const delay = backoff.delayMs(attempt, previous, undefined);
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThanOrEqual(maxMs);
            previous = delay;
          }
          const exact = exponential({ initialMs, multiplier, maxMs, jitter: 'none' });
          const delays = schedule(exact, attempts);
          for (let i = 1; i < delays.length; i++) {
            expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0);
          }
          if (attempts > 1 && initialMs * multiplier ** (attempts - 1) >= maxMs) {
            expect(delays.at(-1)).toBe(maxMs);
          }
        },
      ),
    );
  });

  it('property: a fraction jitter stays within ±fraction of the capped delay, and the cap', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        (fraction, r, attempt) => {
          const backoff = exponential({ jitter: fraction, random: () => r });
          const base = Math.min(30_000, 1000 * 2 ** (attempt - 1));
          const delay = backoff.delayMs(attempt, 0, undefined);
          expect(delay).toBeGreaterThanOrEqual(base * (1 - fraction) - 1e-6);
          expect(delay).toBeLessThanOrEqual(Math.min(30_000, base * (1 + fraction)) + 1e-6);
        },
      ),
    );
  });
});

describe('constant, linear and custom', () => {
  it('constant waits the same every time, optionally jittered', () => {
    const backoff = constant(250);
    expect([1, 2, 9].map((n) => backoff.delayMs(n, 250, undefined))).toEqual([250, 250, 250]);
    expect(backoff.maxMs).toBe(250);
    const jittered = constant(1000, { jitter: 0.2, random: replay(0, 0.999_999) });
    expect(jittered.maxMs).toBe(1200);
    expect(jittered.delayMs(1, 0, undefined)).toBe(800);
    expect(jittered.delayMs(2, 800, undefined)).toBeCloseTo(1200, 2);
    expect(() => constant(-5)).toThrow('constant: delayMs must be a finite number ≥ 0, got -5');
  });

  it('linear adds a step per attempt up to the cap', () => {
    const backoff = linear({ initialMs: 100, stepMs: 50, maxMs: 260 });
    expect(schedule(backoff, 5)).toEqual([100, 150, 200, 250, 260]);
    expect(schedule(linear({ initialMs: 500 }), 3)).toEqual([500, 1000, 1500]);
    expect(() => linear({ stepMs: -1 })).toThrow(
      /linear: stepMs must be a finite number ≥ 0, got -1/,
    );
  });

  it('custom asks a function of the attempt and the error, clamped into [0, maxMs]', () => {
    const byError = customBackoff(
      (attempt, error) => ((error as { slow?: boolean }).slow ? 5000 : attempt * 10),
      {
        maxMs: 2000,
      },
    );
    expect(byError.delayMs(3, 0, { slow: false })).toBe(30);
    expect(byError.delayMs(3, 0, { slow: true })).toBe(2000);
    const careless = customBackoff(() => Number.NaN);
    expect(careless.delayMs(1, 0, undefined)).toBe(0);
    expect(customBackoff(() => -10).delayMs(1, 0, undefined)).toBe(0);
    expect(customBackoff(() => 7).maxMs).toBe(Infinity);
    expect(() => customBackoff(42 as never)).toThrow(TypeError);
  });
});
