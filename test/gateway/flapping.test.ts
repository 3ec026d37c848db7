import { afterEach, describe, expect, it } from 'vitest';
import { fakeUpstream, openaiCompletion, type FakeUpstream } from '../support/fake-llm.js';
import { startGateway, type Running } from './helpers.js';

let running: Running | undefined;
const fakes: FakeUpstream[] = [];
afterEach(async () => {
  await running?.close();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

const OPEN_MS = 400;
const OUTAGE_MS = 2_000;
const INTERVAL_MS = 40;
const THRESHOLD = 3;

describe('a flapping primary (timings scaled down: a 2 s outage, a 400 ms open period)', () => {
  it('opens the breaker, the fallback answers, one primary try per probe, and traffic returns after recovery', async () => {
    let healthyAt = Number.POSITIVE_INFINITY;
    const primaryTries: number[] = [];
    const primary = await fakeUpstream(() => {
      primaryTries.push(Date.now());
      return Date.now() >= healthyAt
        ? { type: 'json', body: openaiCompletion('primary') }
        : { type: 'json', status: 503, body: { error: { message: 'down' } } };
    });
    const backup = await fakeUpstream(() => ({ type: 'json', body: openaiCompletion('backup') }));
    fakes.push(primary, backup);
    running = await startGateway({
      listen: { port: 0 },
      upstreams: {
        primary: {
          url: primary.url,
          circuitBreaker: { trip: { kind: 'consecutive', threshold: THRESHOLD }, openMs: OPEN_MS },
        },
        backup: { url: backup.url },
      },
      routes: [
        {
          name: 'chat',
          kind: 'openai',
          match: { path: '/v1/chat/completions' },
          targets: [{ upstream: 'primary' }, { upstream: 'backup' }],
          retry: { maxAttempts: 1 },
        },
      ],
    });
    const breaker = running.gateway.resilience.breaker('primary');
    let probes = 0;
    const opened: number[] = [];
    breaker?.onStateChange(({ to }) => {
      if (to === 'half-open') probes++;
      if (to === 'open') opened.push(Date.now());
    });
    const start = Date.now();
    healthyAt = start + OUTAGE_MS;
    const answers: { sentAt: number; at: number; upstream: string | null; status: number }[] = [];
    // Bounded: at most 150 requests, and never past 4 s.
    for (let i = 0; i < 150 && Date.now() - start < OUTAGE_MS + 2 * OPEN_MS + 500; i++) {
      const sentAt = Date.now();
      const res = await fetch(`${running.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
      });
      await res.text();
      answers.push({
        sentAt,
        at: Date.now(),
        upstream: res.headers.get('x-breakwater-upstream'),
        status: res.status,
      });
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
    // Every request was answered, by one upstream or the other.
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const duringOutage = primaryTries.filter((at) => at < healthyAt).length;
    // The trip, then one try per probe (each failed probe re-opens the breaker).
    expect(duringOutage).toBeLessThanOrEqual(THRESHOLD + probes);
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(
      answers.filter((a) => a.at < healthyAt && a.upstream === 'backup').length,
    ).toBeGreaterThan(10);
    // Traffic returns within one open period of recovery: the breaker last opened before the
    // primary recovered, and the first request sent once that open period ended is the primary's.
    const lastOpen = opened.at(-1) ?? 0;
    const tryThatOpened = primaryTries.filter((at) => at <= lastOpen).at(-1) ?? 0;
    expect(tryThatOpened).toBeLessThan(healthyAt);
    const firstAfter = answers.find((a) => a.sentAt >= lastOpen + OPEN_MS);
    expect(firstAfter?.upstream).toBe('primary');
    expect(
      answers.filter((a) => a.sentAt >= lastOpen + OPEN_MS).every((a) => a.upstream === 'primary'),
    ).toBe(true);
  });
});
