import { handleAll, retry as cockatielRetry } from 'cockatiel';
import { retry } from '../../src/core/index.js';
import type { BenchCase, BenchSuite } from '../harness.js';

const answer = (): Promise<number> => Promise.resolve(1);
/** Reads the signal as a real `fetch` would, so a lazily created signal has to exist. */
const readsSignal = (ctx: { signal: AbortSignal }): Promise<number> =>
  ctx.signal.aborted ? Promise.reject(new Error('aborted')) : Promise.resolve(1);

/** retry on the success path: the cost every healthy call pays. */
const suite: BenchSuite = {
  title: 'retry (success)',
  cases: () => {
    const breakwater = retry();
    const cockatiel = cockatielRetry(handleAll, { maxAttempts: 2 });
    const rows: [string, string, () => Promise<number>][] = [
      ['breakwater retry()', 'breakwater', () => breakwater.execute(answer)],
      ['cockatiel retry(handleAll, 2)', 'cockatiel', () => cockatiel.execute(answer)],
      [
        'breakwater retry(), fn reads ctx.signal',
        'breakwater',
        () => breakwater.execute(readsSignal),
      ],
      ['cockatiel retry, fn reads ctx.signal', 'cockatiel', () => cockatiel.execute(readsSignal)],
    ];
    const cases: BenchCase[] = [];
    for (const inFlight of [1, 1000]) {
      for (const [name, library, call] of rows) cases.push({ name, library, call, inFlight });
    }
    return cases;
  },
};

export default suite;
