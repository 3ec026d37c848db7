import { getEventListeners, setMaxListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { neverAbortedSignal } from '../../src/core/abort.js';
import { bulkhead } from '../../src/core/bulkhead/bulkhead.js';
import { chaos } from '../../src/core/chaos/chaos.js';
import { seededRandom } from '../../src/core/chaos/seeded-random.js';
import { fallback } from '../../src/core/fallback/fallback.js';
import { fallbackChain } from '../../src/core/fallback-chain/fallback-chain.js';
import { hedge } from '../../src/core/hedge/hedge.js';
import { pipeline } from '../../src/core/pipeline.js';
import type { Context, Policy } from '../../src/core/policy.js';
import { rateLimit } from '../../src/core/rate-limit/rate-limit.js';
import { staleCache } from '../../src/core/stale-cache/stale-cache.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Each policy as a user would build it; typed policies are run with values they accept. */
const policies: Record<string, () => Policy> = {
  bulkhead: () => bulkhead({ maxConcurrent: 2, maxQueue: 1000 }),
  rateLimit: () => rateLimit({ rate: 1000, intervalMs: 1000 }),
  fallback: () => fallback<unknown>({ to: 'fallback' }) as unknown as Policy,
  fallbackChain: () =>
    fallbackChain<unknown>([{ name: 'alt', priority: 1, run: () => 'alt' }]) as unknown as Policy,
  staleCache: () => staleCache<unknown>({ key: 'k', ttlMs: 1_000 }) as unknown as Policy,
  hedge: () => hedge({ delayMs: 15, maxHedges: 2 }),
  'hedge by percentile': () => hedge({ delayMs: { percentile: 90, initialMs: 15 } }),
  chaos: () => chaos({ faultRate: 0.3, latencyRate: 0.3, latencyMs: 25, random: seededRandom(3) }),
  'all of them': () =>
    pipeline(
      fallback<unknown>({ to: 'fallback' }),
      staleCache<unknown>({ key: 'k', ttlMs: 1_000 }),
      rateLimit({ rate: 1000, intervalMs: 1000 }),
      bulkhead({ maxConcurrent: 2, maxQueue: 1000 }),
      hedge({ delayMs: 15 }),
      chaos({ faultRate: 0.3, latencyRate: 0.3, latencyMs: 25, random: seededRandom(4) }),
    ),
};

/** Waits `ms` or until `signal` aborts, cleaning up after itself either way. */
function work(ms: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve('worked');
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const down = (): Promise<never> => Promise.reject(new Error('down'));

const scenarios: Record<string, (p: Policy, caller: AbortController) => Promise<unknown>> = {
  success: (p, c) => p.execute(() => 'ok', c.signal),
  'success, detailed': (p, c) => p.executeDetailed(() => 'ok', c.signal),
  failure: (p, c) => p.execute(down, c.signal),
  slow: (p, c) => p.execute((ctx: Context) => work(40, ctx.signal), c.signal),
  'caller aborts mid-call': (p, c) => {
    const call = p.execute((ctx) => work(10_000, ctx.signal), c.signal);
    setTimeout(() => c.abort(new Error('caller left')), 5);
    return call;
  },
  'caller aborted before': (p, c) => {
    c.abort(new Error('gone'));
    return p.execute(() => 'never', c.signal);
  },
  'many in flight, the caller stays': (p, c) => {
    setMaxListeners(0, c.signal);
    return Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        p.execute((ctx) => (i % 3 === 0 ? down() : work(i % 30, ctx.signal)), c.signal),
      ),
    );
  },
  'many in flight, some abandoned': (p, c) => {
    setMaxListeners(0, c.signal);
    const calls = Array.from({ length: 100 }, (_, i) =>
      p.execute((ctx) => (i % 3 === 0 ? down() : work(i % 30, ctx.signal)), c.signal),
    );
    setTimeout(() => c.abort(new Error('caller left')), 20);
    return Promise.allSettled(calls);
  },
};

describe('no policy leaves a timer or a listener behind', () => {
  for (const [policyName, build] of Object.entries(policies)) {
    it(policyName, async () => {
      const policy = build();
      for (const [scenarioName, scenario] of Object.entries(scenarios)) {
        const caller = new AbortController();
        const settled = scenario(policy, caller).catch(() => undefined);
        await vi.advanceTimersByTimeAsync(20_000);
        await settled;
        expect(getEventListeners(caller.signal, 'abort'), scenarioName).toHaveLength(0);
        expect(vi.getTimerCount(), scenarioName).toBe(0);
      }
      expect(getEventListeners(neverAbortedSignal, 'abort')).toHaveLength(0);
    });
  }
});
