import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker as cockatielBreaker,
  handleAll,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import Opossum from 'opossum';
import { circuitBreaker, consecutive, TransientError } from '../../src/core/index.js';
import { heapPerObject, type BenchCase, type BenchSuite } from '../harness.js';

const answer = (): Promise<number> => Promise.resolve(1);
const failing = (): Promise<never> => Promise.reject(new TransientError('down'));
const ignore = (): undefined => undefined;
/** The references for a rejection: one error made once, rejected a microtask later and caught. */
const madeOnce = new Error('made once');
const rethrow = (error: unknown): never => {
  throw error;
};
const settled = Promise.resolve();
/** Rejected through the promise's own `reject`, no `throw`: what a rejection costs without one. */
function rejectedLater(): Promise<never> {
  let reject!: (reason: Error) => void;
  const rejected = new Promise<never>((_, settle) => {
    reject = settle;
  });
  void settled.then(() => reject(madeOnce));
  return rejected;
}
const HOUR = 3_600_000;

const breakwater = (): ReturnType<typeof circuitBreaker> =>
  circuitBreaker({ trip: consecutive(5), openMs: HOUR });
const cockatiel = (): CircuitBreakerPolicy =>
  cockatielBreaker(handleAll, { halfOpenAfter: HOUR, breaker: new ConsecutiveBreaker(5) });
/** Opossum wraps one action; `timeout: false` so it times nothing, like the other two. */
const opossum = (): Opossum<[], number> =>
  new Opossum(answer, { timeout: false, resetTimeout: HOUR, errorThresholdPercentage: 1 });

const opened: Opossum<[], number>[] = [];

async function openBreakers(): Promise<{
  bw: ReturnType<typeof circuitBreaker>;
  ck: CircuitBreakerPolicy;
  op: Opossum<[], number>;
}> {
  const bw = breakwater();
  const ck = cockatiel();
  for (let i = 0; i < 5; i++) {
    await bw.execute(failing).catch(ignore);
    await ck.execute(failing).catch(ignore);
  }
  const op = opossum();
  op.open();
  opened.push(op);
  if (bw.state !== 'open' || ck.state !== CircuitState.Open || !op.opened) {
    throw new Error('bench setup: a breaker did not open');
  }
  return { bw, ck, op };
}

function closedCases(inFlight: number): BenchCase[] {
  const bw = breakwater();
  const ck = cockatiel();
  const op = opossum();
  opened.push(op);
  const mode = inFlight === 1 ? 'sequential' : `${inFlight} in flight`;
  return [
    {
      name: `breaker closed, success (${mode})`,
      library: 'breakwater',
      call: () => bw.execute(answer),
      inFlight,
    },
    {
      name: `breaker closed, success (${mode})`,
      library: 'cockatiel',
      call: () => ck.execute(answer),
      inFlight,
    },
    {
      name: `breaker closed, success (${mode})`,
      library: 'opossum',
      call: () => op.fire(),
      inFlight,
    },
  ];
}

/**
 * The circuit breaker on its hot paths: a closed breaker passing a success, and an open one
 * rejecting (the rejection is caught, as a caller would), plus the heap an idle breaker holds.
 */
const suite: BenchSuite = {
  title: 'circuit breaker',
  cases: async () => {
    const { bw, ck, op } = await openBreakers();
    return [
      ...closedCases(1),
      ...closedCases(1000),
      {
        name: 'open-circuit rejection',
        library: 'breakwater',
        call: () => bw.execute(answer).catch(ignore),
      },
      {
        name: 'open-circuit rejection',
        library: 'cockatiel',
        call: () => ck.execute(answer).catch(ignore),
      },
      { name: 'open-circuit rejection', library: 'opossum', call: () => op.fire().catch(ignore) },
      {
        name: 'a rejected promise caught, the error made once (no breaker)',
        library: 'reference',
        call: () => Promise.resolve(madeOnce).then(rethrow).catch(ignore),
      },
      {
        name: 'a promise rejected without a throw and caught, the error made once (no breaker)',
        library: 'reference',
        call: () => rejectedLater().catch(ignore),
      },
    ];
  },
  measure: async () => {
    const count = 100_000;
    const bytes = async (make: () => unknown): Promise<number> =>
      Math.round(await heapPerObject(make, count));
    const op: Opossum<[], number>[] = new Array<Opossum<[], number>>(count);
    let made = 0;
    const results = [
      {
        name: 'heap per idle breaker (100,000)',
        library: 'breakwater',
        value: await bytes(breakwater),
        unit: 'bytes',
        target: '≤ 400',
      },
      {
        name: 'heap per idle breaker (100,000)',
        library: 'cockatiel',
        value: await bytes(cockatiel),
        unit: 'bytes',
      },
      {
        name: 'heap per idle breaker (100,000)',
        library: 'opossum',
        value: await bytes(() => (op[made++] = opossum())),
        unit: 'bytes',
      },
    ];
    for (const breaker of op) breaker.shutdown();
    return results;
  },
  teardown: () => {
    for (const breaker of opened.splice(0)) breaker.shutdown();
    return Promise.resolve();
  },
};

export default suite;
