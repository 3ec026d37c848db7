import { handleAll, retry as cockatielRetry } from 'cockatiel';
import { retry } from '../../src/core/index.js';
import type { BenchSuite } from '../harness.js';

const answer = (): Promise<number> => Promise.resolve(1);

/** retry on the success path: the cost every healthy call pays. */
const suite: BenchSuite = {
  title: 'retry (success)',
  cases: () => {
    const breakwater = retry();
    const cockatiel = cockatielRetry(handleAll, { maxAttempts: 2 });
    const viaBreakwater = (): Promise<number> => breakwater.execute(answer);
    const viaCockatiel = (): Promise<number> => cockatiel.execute(answer);
    return [
      { name: 'breakwater retry()', library: 'breakwater', call: viaBreakwater },
      { name: 'cockatiel retry(handleAll, 2)', library: 'cockatiel', call: viaCockatiel },
      { name: 'breakwater retry()', library: 'breakwater', call: viaBreakwater, inFlight: 1000 },
      {
        name: 'cockatiel retry(handleAll, 2)',
        library: 'cockatiel',
        call: viaCockatiel,
        inFlight: 1000,
      },
    ];
  },
};

export default suite;
