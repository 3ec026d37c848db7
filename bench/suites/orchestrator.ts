import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker as cockatielBreaker,
  handleAll,
  retry as cockatielRetry,
  wrap as cockatielWrap,
} from 'cockatiel';
import { createResilience } from '../../src/core/index.js';
import type { BenchMeasurement, BenchSuite } from '../harness.js';

const answer = (): Promise<number> => Promise.resolve(1);
const OPERATIONS = 1_000;

/** Milliseconds per call of `fn`, the median of several rounds. */
function msPerCall(fn: () => unknown, rounds = 15, callsPerRound = 20): number {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < callsPerRound; i++) fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6 / callsPerRound);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

/** The orchestrator on the success path, and its read side over many operations. */
const suite: BenchSuite = {
  title: 'orchestrator',
  cases: () => {
    const resilience = createResilience();
    const balanced = resilience.wrap('bench', answer, { strategy: 'balanced' });
    const cockatiel = cockatielWrap(
      cockatielRetry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
      cockatielBreaker(handleAll, {
        halfOpenAfter: 60_000,
        breaker: new ConsecutiveBreaker(5),
      }),
    );
    const viaCockatiel = (): Promise<number> => cockatiel.execute(answer);
    return [
      { name: 'wrap, balanced (metrics + retry + breaker)', library: 'breakwater', call: balanced },
      { name: 'wrap(retry(3), circuitBreaker(5))', library: 'cockatiel', call: viaCockatiel },
      {
        name: 'wrap, balanced (metrics + retry + breaker)',
        library: 'breakwater',
        call: balanced,
        inFlight: 1000,
      },
      {
        name: 'wrap(retry(3), circuitBreaker(5))',
        library: 'cockatiel',
        call: viaCockatiel,
        inFlight: 1000,
      },
    ];
  },
  measure: async (): Promise<BenchMeasurement[]> => {
    const resilience = createResilience();
    for (let i = 0; i < OPERATIONS; i++) {
      const wrapped = resilience.wrap(`operation-${i}`, answer);
      for (let call = 0; call < 20; call++) await wrapped();
    }
    const health = msPerCall(() => resilience.healthStatus());
    const all = msPerCall(() => resilience.allMetrics());
    return [
      {
        name: `healthStatus() over ${OPERATIONS} operations`,
        library: 'breakwater',
        value: health,
        unit: 'ms',
        target: '≤ 1 ms',
      },
      {
        name: `allMetrics() over ${OPERATIONS} operations`,
        library: 'breakwater',
        value: all,
        unit: 'ms',
        target: '≤ 1 ms',
      },
    ];
  },
};

export default suite;
