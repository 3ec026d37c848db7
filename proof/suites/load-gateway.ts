/**
 * Load: a thousand concurrent virtual users (fifty with --quick) through `breakwater serve` in
 * front of a primary that fails half its requests (5xx, resets, answers slower than the
 * per-try timeout), with a fallback upstream that fails a tenth and a stale cache. Each user
 * waits 1–3 s between requests (seed 001's load test: Locust users, `between(1, 3)`; a tenth
 * of that with --quick, so the short run still opens the circuit), and the users start spread
 * over their first wait, after a discarded warm-up of 200 requests. Promises: every request is
 * answered — by the primary, the fallback, the cache, or 503 with Retry-After — within the
 * route's budget; fallback answers p99 < 100 ms; the gateway never crashes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { seededRandom } from '../../src/core/index.js';
import { startUpstream } from '../upstream.js';
import { serve } from '../serve.js';
import { check, finish, mib, percentile, profileOf, trackUnhandled } from '../report.js';

const profile = profileOf(process.argv);
const users = profile === 'quick' ? 50 : 1_000;
const durationMs = profile === 'quick' ? 5_000 : 30_000;
const TOTAL_MS = 1_000;
/** A user's wait between requests: seed 001's `between(1, 3)` seconds (a tenth with --quick). */
const thinkMs = profile === 'quick' ? { min: 100, max: 300 } : { min: 1_000, max: 3_000 };
const random = seededRandom(17);
const think = (share = 1): Promise<void> =>
  new Promise((resolve) =>
    setTimeout(resolve, share * (thinkMs.min + random() * (thinkMs.max - thinkMs.min))),
  );
const unhandled = trackUnhandled();

const primary = await startUpstream({ failRate: 0.5, slowMs: 2_000, seed: 11 });
const backup = await startUpstream({ failRate: 0.1, slowMs: 2_000, seed: 12 });
const dir = mkdtempSync(join(tmpdir(), 'breakwater-proof-'));
const configFile = join(dir, 'gateway.json');
writeFileSync(
  configFile,
  JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    upstreams: {
      primary: {
        url: primary.url,
        circuitBreaker: {
          trip: {
            kind: 'failure-rate',
            threshold: 0.3,
            minimumCalls: 20,
            window: { kind: 'count', size: 50 },
          },
          openMs: 1_000,
        },
      },
      backup: {
        url: backup.url,
        circuitBreaker: {
          trip: {
            kind: 'failure-rate',
            threshold: 0.5,
            minimumCalls: 50,
            window: { kind: 'count', size: 100 },
          },
          openMs: 1_000,
        },
      },
    },
    routes: [
      {
        name: 'chat',
        match: { method: 'POST', path: '/v1/chat/completions' },
        kind: 'openai',
        targets: [{ upstream: 'primary' }, { upstream: 'backup' }],
        retry: { maxAttempts: 2 },
        timeout: { perTryMs: 200, totalMs: TOTAL_MS },
        staleCache: { ttlMs: 300_000 },
      },
    ],
  }),
);
const gateway = await serve(configFile);
const client = new Agent({ connections: users, headersTimeout: 10_000, bodyTimeout: 10_000 });

// `error`: both targets failed and no stale answer existed yet, so the client got the last
// upstream's own error (SPEC §10) — an answer, not a lost request.
type Source = 'primary' | 'backup' | 'cache' | '503' | 'error' | 'other';
const latencies: Record<Source, number[]> = {
  primary: [],
  backup: [],
  cache: [],
  '503': [],
  error: [],
  other: [],
};
const unexplained: string[] = [];
const whileOpen: number[] = [];
let missingRetryAfter = 0;
let peakRss = gateway.rss();
const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, gateway.rss())), 250);

async function user(id: number, until: number): Promise<void> {
  await think(random());
  for (let i = 0; performance.now() < until && i < 100_000; i++, await think()) {
    const started = performance.now();
    try {
      const response = await request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        dispatcher: client,
        headers: { 'content-type': 'application/json' },
        // A handful of distinct prompts, so the stale cache has answers to give.
        body: JSON.stringify({
          model: 'm',
          messages: [{ role: 'user', content: `q${(id + i) % 8}` }],
        }),
      });
      await response.body.text();
      const ms = performance.now() - started;
      const fallback = response.headers['x-breakwater-fallback'];
      let source: Source = 'other';
      if (response.statusCode === 200)
        source =
          fallback === 'cache'
            ? 'cache'
            : fallback === 'backup'
              ? 'backup'
              : fallback === undefined
                ? 'primary'
                : 'other';
      else if (response.headers['x-breakwater-upstream'] === 'none') {
        // The gateway's own answer: nothing left to try.
        if (response.statusCode === 503) source = '503';
        if (response.headers['retry-after'] === undefined) missingRetryAfter += 1;
      } else if (response.statusCode >= 500) source = 'error';
      if (source === 'other' && unexplained.length < 5)
        unexplained.push(`${response.statusCode} ${String(fallback)}`);
      latencies[source].push(ms);
      // Answered by the fallback upstream at its first attempt: the primary's circuit was open.
      if (source === 'backup' && response.headers['x-breakwater-attempts'] === '1')
        whileOpen.push(ms);
    } catch (error) {
      latencies.other.push(performance.now() - started);
      if (unexplained.length < 5) unexplained.push(String(error));
    }
  }
}

// A warm-up, discarded, as the bench's: a freshly started process runs its first requests cold
// (JIT, connection pools), which would be measured as the circuit's fallback latency.
const warmUp = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) {
    const response = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      dispatcher: client,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'warm-up' }] }),
    });
    await response.body.text();
  }
};
await Promise.all(Array.from({ length: 20 }, warmUp));

const until = performance.now() + durationMs;
await Promise.all(Array.from({ length: users }, (_, id) => user(id, until)));
clearInterval(rssSampler);
await client.close();
const exit = await gateway.stop('SIGTERM');
await primary.close();
await backup.close();
rmSync(dir, { recursive: true, force: true });

const all = Object.values(latencies)
  .flat()
  .sort((a, b) => a - b);
const sorted = (s: Source) => [...latencies[s]].sort((a, b) => a - b);
const fallbackAnswers = [...latencies.backup, ...latencies.cache].sort((a, b) => a - b);
whileOpen.sort((a, b) => a - b);
const bySource = Object.fromEntries(
  (Object.keys(latencies) as Source[]).map((s) => {
    const l = sorted(s);
    return [
      s,
      `${l.length} (p50 ${percentile(l, 50).toFixed(1)}, p95 ${percentile(l, 95).toFixed(1)}, p99 ${percentile(l, 99).toFixed(1)} ms)`,
    ];
  }),
);
const budgetMs = TOTAL_MS + 250;

finish({
  suite: 'load-gateway',
  figures: {
    users,
    requests: all.length,
    requestsPerSecond: Math.round(all.length / (durationMs / 1000)),
    ...bySource,
    p99AllMs: percentile(all, 99).toFixed(1),
    maxMs: (all.at(-1) ?? 0).toFixed(1),
    peakGatewayRss: mib(peakRss),
  },
  checks: [
    check(
      "every request answered: primary, fallback, cache, the last upstream's own error, or 503 + Retry-After",
      latencies.other.length === 0 && missingRetryAfter === 0 && all.length > 0,
      `${all.length - latencies.other.length} of ${all.length} (${latencies.other.length} otherwise${unexplained.length > 0 ? `: ${unexplained.join('; ')}` : ''}); ${missingRetryAfter} 503s without Retry-After`,
    ),
    check(
      `every answer within the route's budget (totalMs ${TOTAL_MS} + 250 ms)`,
      (all.at(-1) ?? Infinity) <= budgetMs,
      `max ${(all.at(-1) ?? 0).toFixed(1)} ms`,
    ),
    // Seed 001's figure: with the circuit open, the fallback answers at once. (A fallback after
    // a failed primary attempt takes that attempt's time too; it is bounded by the budget above.)
    check(
      'fallback answers while the primary circuit is open: p99 < 100 ms',
      whileOpen.length > 0 && percentile(whileOpen, 99) < 100,
      `${whileOpen.length} answers, p99 ${percentile(whileOpen, 99).toFixed(1)} ms (all ${fallbackAnswers.length} fallback and cache answers: p99 ${percentile(fallbackAnswers, 99).toFixed(1)} ms)`,
    ),
    check(
      'the gateway never crashed, and exited 0 on SIGTERM',
      exit === 0,
      `exit ${exit}; stderr ${JSON.stringify(gateway.stderr().slice(0, 200))}`,
    ),
    check('no unhandled rejection', unhandled() === 0, `${unhandled()}`),
  ],
});
