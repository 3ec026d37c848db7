/**
 * Soak: a million orchestrator calls (a hundred thousand with --quick) of mixed outcomes on a
 * few operations, then ten thousand operations created and removed. Promises: the heap after is
 * within 10 % of the heap before, and no handle, timer or listener is left behind.
 */
import { createResilience, PermanentError, TransientError } from '../../src/core/index.js';
import {
  activeResources,
  check,
  finish,
  heapAfterGc,
  mib,
  nothingAdded,
  profileOf,
  trackUnhandled,
} from '../report.js';

const profile = profileOf(process.argv);
const calls = profile === 'quick' ? 100_000 : 1_000_000;
const churnOperations = profile === 'quick' ? 2_000 : 10_000;
const unhandled = trackUnhandled();

const resilience = createResilience({
  config: {
    defaults: {
      retry: { maxAttempts: 2, backoff: { kind: 'constant', delayMs: 0 } },
      circuitBreaker: { trip: { kind: 'consecutive', threshold: 1_000 }, openMs: 1_000 },
    },
    operations: {},
  },
});

// Outcomes by call number: mostly answers, a transient failure retried into an answer, a
// permanent failure answered by the fallback — every path of a call, over and over.
let n = 0;
const flaky = (i: number): Promise<number> => {
  n += 1;
  if (i % 97 === 0 && n % 2 === 1) return Promise.reject(new TransientError('blip'));
  if (i % 101 === 0) return Promise.reject(new PermanentError('bad request'));
  return Promise.resolve(i);
};
const operations = ['alpha', 'beta', 'gamma', 'delta'].map((name) =>
  resilience.wrap(name, flaky, {
    strategy: 'balanced',
    fallback: () => -1,
  }),
);

async function drive(from: number, to: number): Promise<{ answered: number; failed: number }> {
  let answered = 0;
  let failed = 0;
  const inFlight = 100;
  for (let start = from; start < to; start += inFlight) {
    const batch: Promise<number>[] = [];
    for (let i = start; i < Math.min(to, start + inFlight); i++) {
      const call = operations[i % operations.length];
      if (call !== undefined) batch.push(call(i));
    }
    for (const settled of await Promise.allSettled(batch)) {
      if (settled.status === 'fulfilled') answered += 1;
      else failed += 1;
    }
  }
  return { answered, failed };
}

// Warm up, so the measured heap holds the steady state (JIT code, metrics buffers), not growth.
await drive(0, 20_000);
const resourcesBefore = activeResources();
const heapBefore = heapAfterGc();
const started = performance.now();
const { answered, failed } = await drive(20_000, 20_000 + calls);
const elapsedS = (performance.now() - started) / 1000;
const heapAfterCalls = heapAfterGc();

const counted = operations.length;
let totals = { total: 0, ok: 0, failed: 0 };
for (const name of resilience.operations()) {
  const m = resilience.metrics(name)?.toJSON();
  if (m !== undefined)
    totals = {
      total: totals.total + m.totalCalls,
      ok: totals.ok + m.successfulCalls,
      failed: totals.failed + m.failedCalls,
    };
}

// Churn: operations come and go, as a service with per-tenant names does.
const churnHeapBefore = heapAfterGc();
for (let i = 0; i < churnOperations; i++) {
  const name = `tenant-${i}`;
  await resilience.wrap(name, () => Promise.resolve(i), { strategy: 'aggressive' })();
  resilience.removeOperation(name);
}
const churnHeapAfter = heapAfterGc();
const leftOperations = resilience.operations().length;
const resourcesAfter = activeResources();
const sameResources = nothingAdded(resourcesAfter, resourcesBefore);

finish({
  suite: 'soak-orchestrator',
  figures: {
    calls,
    callsPerSecond: Math.round(calls / elapsedS),
    heapBefore: mib(heapBefore),
    heapAfter: mib(heapAfterCalls),
    heapGrowth: `${(((heapAfterCalls - heapBefore) / heapBefore) * 100).toFixed(1)} %`,
    operationsChurned: churnOperations,
    churnHeapGrowth: `${(((churnHeapAfter - churnHeapBefore) / churnHeapBefore) * 100).toFixed(1)} %`,
    resources: JSON.stringify(resourcesAfter),
  },
  checks: [
    check(
      'every call settled, counted exactly',
      answered + failed === calls &&
        totals.total === calls + 20_000 &&
        totals.total === totals.ok + totals.failed,
      `${answered} answered, ${failed} rejected of ${calls}; metrics ${totals.total} = ${totals.ok} + ${totals.failed} over ${counted} operations (20,000 warm-up calls included)`,
    ),
    check(
      'heap after ≤ heap before + 10 %',
      heapAfterCalls <= heapBefore * 1.1,
      `${mib(heapBefore)} → ${mib(heapAfterCalls)}`,
    ),
    check(
      'operations created and removed leave nothing behind',
      leftOperations === counted && churnHeapAfter <= churnHeapBefore * 1.1,
      `${leftOperations} operations left (the ${counted} soaked); heap ${mib(churnHeapBefore)} → ${mib(churnHeapAfter)}`,
    ),
    check(
      'no handle or timer left behind',
      sameResources,
      `before ${JSON.stringify(resourcesBefore)}, after ${JSON.stringify(resourcesAfter)}`,
    ),
    check('no unhandled rejection', unhandled() === 0, `${unhandled()}`),
  ],
});
