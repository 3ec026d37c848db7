import { setMaxListeners } from 'node:events';
import CircuitBreaker from 'opossum';
import {
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker as cockatielBreaker,
  handleAll,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  wrap,
} from 'cockatiel';
import { circuitBreaker, consecutive, pipeline, retry, timeout } from '../../src/core/index.js';
import type { BenchCase, BenchSuite } from '../harness.js';

const answer = (): Promise<number> => Promise.resolve(1);

/** Reads the signal as `fetch` does: checks it, listens for abort, stops listening when done. */
const ignoreAbort = (): void => undefined;
const fetchLike = (ctx: { signal: AbortSignal }): Promise<number> => {
  const signal = ctx.signal;
  if (signal.aborted) return Promise.reject(signal.reason);
  signal.addEventListener('abort', ignoreAbort);
  return answer().then((value) => {
    signal.removeEventListener('abort', ignoreAbort);
    return value;
  });
};

/** A deadline no call in the benchmark comes near. */
const MS = 10_000;

const opened: CircuitBreaker[] = [];

function both(name: string, library: string, call: () => Promise<unknown>): BenchCase[] {
  return [
    { name, library, call },
    { name, library, call, inFlight: 1000 },
  ];
}

/**
 * The timeout alone, then the usual timeout + retry + breaker stack: breakwater next to
 * cockatiel's wrap(retry, breaker, timeout) and opossum (a breaker with a built-in timeout).
 */
const suite: BenchSuite = {
  title: 'timeout & pipeline',
  cases: () => {
    const coop = timeout({ ms: MS });
    const aggressive = timeout({ ms: MS, mode: 'aggressive' });
    const cockatielCoop = cockatielTimeout(MS, TimeoutStrategy.Cooperative);
    const cockatielAggressive = cockatielTimeout(MS, TimeoutStrategy.Aggressive);

    // The same stack in the three libraries: 2 attempts, a breaker that opens after 5
    // consecutive failures, each attempt bounded by the timeout.
    const breakwaterPipeline = pipeline(
      retry({ maxAttempts: 2 }),
      circuitBreaker({ trip: consecutive(5), openMs: 10_000 }),
      timeout({ ms: MS }),
    );
    const cockatielPipeline = wrap(
      cockatielRetry(handleAll, { maxAttempts: 2 }),
      cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
      cockatielTimeout(MS, TimeoutStrategy.Cooperative),
    );
    // No timeout: what a call's own signal costs when the function reads it (it used to be
    // one never-aborted signal shared by every call; clients' listeners piled up on it).
    const retryAlone = retry({ maxAttempts: 2 });
    const opossum = new CircuitBreaker(answer, { timeout: MS });
    const opossumController = new AbortController();
    // One signal for every call of the breaker: 1000 in flight legitimately listen to it.
    setMaxListeners(0, opossumController.signal);
    const opossumSignal = new CircuitBreaker(() => fetchLike(opossumController), {
      timeout: MS,
      abortController: opossumController,
    });
    opened.push(opossum, opossumSignal);

    return [
      ...both('timeout (cooperative)', 'breakwater', () => coop.execute(answer)),
      ...both('timeout (cooperative)', 'cockatiel', () => cockatielCoop.execute(answer)),
      ...both('timeout (aggressive)', 'breakwater', () => aggressive.execute(answer)),
      ...both('timeout (aggressive)', 'cockatiel', () => cockatielAggressive.execute(answer)),
      ...both('timeout, fn reads signal', 'breakwater', () => coop.execute(fetchLike)),
      ...both('timeout, fn reads signal', 'cockatiel', () => cockatielCoop.execute(fetchLike)),
      ...both('timeout+retry+breaker', 'breakwater', () => breakwaterPipeline.execute(answer)),
      ...both('timeout+retry+breaker', 'cockatiel', () => cockatielPipeline.execute(answer)),
      ...both('breaker with timeout', 'opossum', () => opossum.fire()),
      ...both('timeout+retry+breaker, fn reads signal', 'breakwater', () =>
        breakwaterPipeline.execute(fetchLike),
      ),
      ...both('timeout+retry+breaker, fn reads signal', 'cockatiel', () =>
        cockatielPipeline.execute(fetchLike),
      ),
      ...both('retry, fn reads its own signal (no timeout)', 'breakwater', () =>
        retryAlone.execute(fetchLike),
      ),
      ...both('retry, fn never reads its signal (no timeout)', 'breakwater', () =>
        retryAlone.execute(answer),
      ),
      ...both('breaker with timeout, fn reads shared signal', 'opossum', () =>
        opossumSignal.fire(),
      ),
    ];
  },
  teardown: () => {
    for (const breaker of opened.splice(0)) breaker.shutdown();
    return Promise.resolve();
  },
};

export default suite;
