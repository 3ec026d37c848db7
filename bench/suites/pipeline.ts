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
import { timeout } from '../../src/core/index.js';
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

    const cockatielPipeline = wrap(
      cockatielRetry(handleAll, { maxAttempts: 2 }),
      cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
      cockatielTimeout(MS, TimeoutStrategy.Cooperative),
    );
    const opossum = new CircuitBreaker(answer, { timeout: MS });
    const opossumController = new AbortController();
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
      ...both('timeout+retry+breaker', 'cockatiel', () => cockatielPipeline.execute(answer)),
      ...both('breaker with timeout', 'opossum', () => opossum.fire()),
      ...both('timeout+retry+breaker, fn reads signal', 'cockatiel', () =>
        cockatielPipeline.execute(fetchLike),
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
