import type { BenchSuite } from '../harness.js';

const answer = (): Promise<number> => Promise.resolve(1);

/** The bare call every ratio is taken against: `await fn()` with nothing around it. */
const suite: BenchSuite = {
  title: 'bare call',
  cases: () => [
    { name: 'bare await fn()', library: 'bare', call: () => answer() },
    { name: 'bare await fn()', library: 'bare', call: () => answer(), inFlight: 1000 },
  ],
};

export default suite;
