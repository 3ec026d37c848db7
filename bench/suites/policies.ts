import { bulkhead as cockatielBulkhead, fallback as cockatielFallback, handleAll } from 'cockatiel';
import type { BenchCase, BenchSuite } from '../harness.js';
import { bulkhead } from '../../src/core/bulkhead/bulkhead.js';
import { chaos } from '../../src/core/chaos/chaos.js';
import { fallback } from '../../src/core/fallback/fallback.js';
import { fallbackChain } from '../../src/core/fallback-chain/fallback-chain.js';
import { hedge } from '../../src/core/hedge/hedge.js';
import { rateLimit } from '../../src/core/rate-limit/rate-limit.js';
import { staleCache } from '../../src/core/stale-cache/stale-cache.js';

const answer = (): Promise<number> => Promise.resolve(1);

/**
 * The success path of bulkhead, rate limit, hedge (primary answers first), fallbacks and
 * chaos, sequential and with 1000 calls in flight, next to cockatiel where it has the same
 * policy (it has a bulkhead and a fallback; no rate limiter, hedge, stale cache or chaos).
 */
const suite: BenchSuite = {
  title: 'policies',
  cases: () => {
    const cases: BenchCase[] = [];
    for (const inFlight of [1, 1000]) {
      const ours = bulkhead({ maxConcurrent: 1000 });
      const theirs = cockatielBulkhead(1000);
      const limiter = rateLimit({ rate: 1e12, intervalMs: 1, burst: 1e9 });
      const hedged = hedge({ delayMs: 1000 });
      const answerOr = fallback({ to: 0 });
      const theirFallback = cockatielFallback(handleAll, 0);
      const chain = fallbackChain([{ name: 'zero', priority: 1, run: () => 0 }]);
      const cache = staleCache<number>({ key: 'k', ttlMs: 60_000 });
      const quiet = chaos({ faultRate: 0 });
      cases.push(
        {
          name: 'bulkhead (free slot)',
          library: 'breakwater',
          call: () => ours.execute(answer),
          inFlight,
        },
        {
          name: 'bulkhead (free slot)',
          library: 'cockatiel',
          call: () => theirs.execute(answer),
          inFlight,
        },
        {
          name: 'rateLimit (token available)',
          library: 'breakwater',
          call: () => limiter.execute(answer),
          inFlight,
        },
        {
          name: 'hedge (primary answers first)',
          library: 'breakwater',
          call: () => hedged.execute(answer),
          inFlight,
        },
        {
          name: 'fallback (success)',
          library: 'breakwater',
          call: () => answerOr.execute(answer),
          inFlight,
        },
        {
          name: 'fallback (success)',
          library: 'cockatiel',
          call: () => theirFallback.execute(answer),
          inFlight,
        },
        {
          name: 'fallbackChain (primary answers)',
          library: 'breakwater',
          call: () => chain.execute(answer),
          inFlight,
        },
        {
          name: 'staleCache (success, remembered)',
          library: 'breakwater',
          call: () => cache.execute(answer),
          inFlight,
        },
        {
          name: 'chaos (rate 0)',
          library: 'breakwater',
          call: () => quiet.execute(answer),
          inFlight,
        },
      );
    }
    // A clock read is the floor under every policy that reads time (rate limit, stale cache, hedge).
    const counter = { t: 0, now: () => counter.t++ };
    const counted = rateLimit({ rate: 1e12, intervalMs: 1, burst: 1e9, clock: counter });
    // A hedge must answer from whichever attempt wins, so it needs a promise of its own.
    const deferred = (): Promise<number> =>
      new Promise<number>((resolve, reject) => {
        answer().then(resolve, reject);
      });
    cases.push(
      {
        name: 'Date.now() then await fn()',
        library: 'reference',
        call: () => (Date.now(), answer()),
      },
      { name: 'new Promise settled by fn()', library: 'reference', call: deferred },
      {
        name: 'rateLimit (token available, counter clock)',
        library: 'breakwater',
        call: () => counted.execute(answer),
      },
    );
    // 1000 in flight through 10 slots: every call but ten waits in the queue.
    const queued = bulkhead({ maxConcurrent: 10, maxQueue: 1000 });
    const theirQueued = cockatielBulkhead(10, 1000);
    cases.push(
      {
        name: 'bulkhead (10 slots, queued)',
        library: 'breakwater',
        call: () => queued.execute(answer),
        inFlight: 1000,
      },
      {
        name: 'bulkhead (10 slots, queued)',
        library: 'cockatiel',
        call: () => theirQueued.execute(answer),
        inFlight: 1000,
      },
    );
    return cases;
  },
};

export default suite;
