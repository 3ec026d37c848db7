/**
 * Chaos: a service calls a dependency through the orchestrator while `chaos` injects faults and
 * latency, the dependency goes down and comes back, and the wall clock steps back an hour and
 * forward a day (as after an NTP correction or a VM resume). Promises: every call is answered
 * (by the dependency or the fallback) within its bound; the breaker opens during the outage and
 * traffic returns to the dependency within one open period after it recovers; no duration is
 * negative and nothing wedges on the clock steps.
 */
import { chaos, createResilience, seededRandom } from '../../src/core/index.js';
import { check, finish, percentile, profileOf, trackUnhandled } from '../report.js';

const profile = profileOf(process.argv);
const phaseMs = profile === 'quick' ? 1_500 : 6_000;
const callers = profile === 'quick' ? 50 : 200;
const unhandled = trackUnhandled();

// The wall clock as the process sees it; `step` moves it as NTP would. Monotonic time does not move.
const wallClock = Date.now.bind(Date);
let stepMs = 0;
Date.now = () => wallClock() + stepMs;

const TIMEOUT_MS = 150;
const OPEN_MS = 400;
const LATENCY_MS = 20;
const resilience = createResilience({
  config: {
    defaults: {
      retry: {
        maxAttempts: 3,
        backoff: { kind: 'exponential', initialMs: 10, multiplier: 2, maxMs: 40, jitter: 0.1 },
      },
      circuitBreaker: { trip: { kind: 'consecutive', threshold: 5 }, openMs: OPEN_MS },
      timeout: TIMEOUT_MS,
      rateLimit: { rate: 20_000, intervalMs: 1_000, burst: 2_000 },
    },
    operations: {},
  },
});
// Worst case: three attempts at the timeout, the injected latency inside each, two backoffs.
const BOUND_MS = 3 * TIMEOUT_MS + 10 + 20 + 2 * 4 + 500; // + 500 ms of scheduling on a busy machine

type Answer = 'live' | 'fallback';
let down = false;
const monkey = chaos({
  faultRate: 0.1,
  latencyRate: 0.2,
  latencyMs: LATENCY_MS,
  random: seededRandom(7),
});
const dependency = resilience.wrap(
  'dependency',
  () =>
    monkey.execute((): Promise<Answer> => {
      if (down)
        return Promise.reject(Object.assign(new Error('service unavailable'), { status: 503 }));
      return Promise.resolve('live');
    }),
  { fallback: (): Answer => 'fallback' },
);

const durations: number[] = [];
let negativeDurations = 0;
resilience.observe({
  onCallEnd: ({ durationMs }) => {
    if (durationMs < 0) negativeDurations += 1;
  },
});
const transitions: { to: string; at: number }[] = [];
const t0 = performance.now();
resilience.observe({
  onStateChange: ({ to }) => transitions.push({ to, at: performance.now() - t0 }),
});

const answers = { live: 0, fallback: 0, failed: 0 };
let phase = 'healthy';
const liveByPhase: Record<string, { live: number; all: number }> = {};
let stop = false;

async function caller(): Promise<void> {
  while (!stop) {
    const started = performance.now();
    const calledIn = phase;
    try {
      const answer = await dependency();
      answers[answer] += 1;
      const tally = (liveByPhase[calledIn] ??= { live: 0, all: 0 });
      tally.all += 1;
      if (answer === 'live') tally.live += 1;
    } catch {
      answers.failed += 1;
    }
    durations.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const running = Array.from({ length: callers }, () => caller());

await wait(phaseMs); // healthy, with chaos faults and latency
phase = 'outage';
down = true;
const outageAt = performance.now() - t0;
await wait(phaseMs / 2);
stepMs = -3_600_000; // the wall clock steps back an hour while the circuit is open
await wait(phaseMs / 2);
phase = 'recovering';
down = false;
const recoveredAt = performance.now() - t0;
await wait(OPEN_MS * 3);
phase = 'recovered';
stepMs += 86_400_000; // …and forward a day
await wait(phaseMs);
stop = true;
await Promise.all(running);

durations.sort((a, b) => a - b);
const total = answers.live + answers.fallback + answers.failed;
const openedInOutage = transitions.some((t) => t.to === 'open' && t.at >= outageAt);
const closedAfter = transitions.find((t) => t.to === 'closed' && t.at >= recoveredAt);
const recoveryMs = closedAfter === undefined ? Infinity : closedAfter.at - recoveredAt;
const recovered = liveByPhase['recovered'] ?? { live: 0, all: 0 };
const liveShare = recovered.all === 0 ? 0 : recovered.live / recovered.all;
const metrics = resilience.metrics('dependency')?.toJSON();

finish({
  suite: 'chaos-orchestrator',
  figures: {
    calls: total,
    answeredLive: answers.live,
    answeredByFallback: answers.fallback,
    failed: answers.failed,
    p50Ms: percentile(durations, 50).toFixed(1),
    p99Ms: percentile(durations, 99).toFixed(1),
    maxMs: (durations.at(-1) ?? 0).toFixed(1),
    transitions: transitions.length,
    recoveryMs: Number.isFinite(recoveryMs) ? recoveryMs.toFixed(0) : 'never',
    liveShareAfterRecovery: `${(liveShare * 100).toFixed(1)} %`,
  },
  checks: [
    check(
      'every call answered (dependency or fallback)',
      answers.failed === 0 && total > 0,
      `${answers.live} live + ${answers.fallback} fallback, ${answers.failed} failed`,
    ),
    check(
      `every call within its bound (${BOUND_MS} ms)`,
      (durations.at(-1) ?? Infinity) <= BOUND_MS,
      `max ${(durations.at(-1) ?? 0).toFixed(1)} ms`,
    ),
    check(
      'the breaker opened during the outage',
      openedInOutage,
      `${transitions.length} transitions`,
    ),
    check(
      'traffic back on the dependency within one open period after it recovered, despite the clock stepping back 1 h',
      recoveryMs <= OPEN_MS * 2,
      `closed ${Number.isFinite(recoveryMs) ? recoveryMs.toFixed(0) : 'never'} ms after recovery (open period ${OPEN_MS} ms)`,
    ),
    check(
      'after the clock stepped forward a day, calls still reach the dependency',
      liveShare >= 0.8,
      `${(liveShare * 100).toFixed(1)} % answered live (chaos injects 10 % faults)`,
    ),
    check('no negative duration', negativeDurations === 0, `${negativeDurations}`),
    check(
      'metrics count every call exactly',
      metrics !== undefined &&
        metrics.totalCalls === metrics.successfulCalls + metrics.failedCalls &&
        metrics.totalCalls === total,
      `${metrics?.totalCalls} = ${metrics?.successfulCalls} + ${metrics?.failedCalls}`,
    ),
    check('no unhandled rejection', unhandled() === 0, `${unhandled()}`),
  ],
});
