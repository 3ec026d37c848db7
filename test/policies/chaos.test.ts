import { afterEach, describe, expect, it, vi } from 'vitest';
import { chaos } from '../../src/core/chaos/chaos.js';
import { seededRandom } from '../../src/core/chaos/seeded-random.js';
import { isServiceUnavailableError } from '../../src/core/errors/index.js';

afterEach(() => {
  vi.useRealTimers();
});

async function injectedShare(faultRate: number, calls: number, seed: number): Promise<number> {
  const policy = chaos({ faultRate, random: seededRandom(seed) });
  let faults = 0;
  policy.onFault(() => faults++);
  let failed = 0;
  for (let i = 0; i < calls; i++) {
    await policy.execute(() => i).catch(() => failed++);
  }
  expect(failed).toBe(faults);
  return faults / calls;
}

describe('chaos', () => {
  it('injects nothing at rate 0', async () => {
    expect(await injectedShare(0, 1_000, 1)).toBe(0);
  });

  it('injects into every call at rate 1', async () => {
    expect(await injectedShare(1, 1_000, 2)).toBe(1);
  });

  it('injects within 2 % of the rate over 10,000 seeded calls', async () => {
    for (const seed of [7, 42, 2024]) {
      expect(Math.abs((await injectedShare(0.3, 10_000, seed)) - 0.3)).toBeLessThan(0.02);
    }
  });

  it('is deterministic under a seeded random source', async () => {
    const run = async (): Promise<string> => {
      const policy = chaos({ faultRate: 0.5, random: seededRandom(99) });
      let pattern = '';
      for (let i = 0; i < 64; i++) {
        pattern += await policy.execute(() => '.').catch(() => 'x');
      }
      return pattern;
    };
    const first = await run();
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    expect(await run()).toBe(first);
  });

  it('rejects with the configured fault without running the function', async () => {
    let ran = false;
    const custom = new Error('injected 503');
    const fixed = chaos({ faultRate: 1, fault: custom });
    await expect(fixed.execute(() => (ran = true))).rejects.toBe(custom);
    const made = chaos({ faultRate: 1, fault: () => new RangeError('made') });
    await expect(made.execute(() => (ran = true))).rejects.toThrow(RangeError);
    const byDefault = chaos({ faultRate: 1 });
    const error = await byDefault.execute(() => (ran = true)).catch((e: unknown) => e);
    expect(isServiceUnavailableError(error)).toBe(true);
    expect(ran).toBe(false);
  });

  it('delays calls by latencyMs, abortably', async () => {
    vi.useFakeTimers();
    const policy = chaos({ latencyRate: 1, latencyMs: 250 });
    const delays: number[] = [];
    policy.onLatency(({ ms }) => delays.push(ms));
    let ran = false;
    const call = policy.execute(() => (ran = true));
    await vi.advanceTimersByTimeAsync(249);
    expect(ran).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toBe(true);
    expect(delays).toEqual([250]);

    const controller = new AbortController();
    const aborted = policy.execute(() => 'never', controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('injects nothing while disabled, and reads a function switch at each call', async () => {
    let on = false;
    const policy = chaos({ faultRate: 1, enabled: () => on });
    await expect(policy.execute(() => 'ok')).resolves.toBe('ok');
    on = true;
    await expect(policy.execute(() => 'ok')).rejects.toThrow('chaos: injected fault');
    const off = chaos({ faultRate: 1, enabled: false });
    await expect(off.execute(() => 'ok')).resolves.toBe('ok');
  });

  it('validates its options', () => {
    expect(() => chaos({ faultRate: 1.5 })).toThrow(
      new RangeError('chaos: faultRate must be a number ≥ 0 and ≤ 1, got 1.5'),
    );
    expect(() => chaos({ latencyRate: 0.1 })).toThrow(
      'chaos: latencyMs must be a finite number ≥ 0 when latencyRate > 0, got undefined',
    );
    expect(() => chaos({ fault: 'boom' as never })).toThrow(TypeError);
    expect(() => chaos({ random: 4 as never })).toThrow(TypeError);
  });
});
