/**
 * Chaos through `breakwater serve`: the primary flaps (down, up, down, up) while clients call,
 * and the gateway is SIGKILLed with the primary's circuit open and started again on the same
 * file store. Promises: every request is answered (primary or fallback) through the flapping,
 * an open circuit lets at most one primary attempt through per probe, and a gateway killed and
 * restarted comes back with the circuit still open (state restored from the file).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startUpstream } from '../upstream.js';
import { serve } from '../serve.js';
import { check, finish, profileOf, trackUnhandled } from '../report.js';

const profile = profileOf(process.argv);
const flapMs = profile === 'quick' ? 1_500 : 5_000;
const flaps = profile === 'quick' ? 2 : 4;
const OPEN_MS = 500;
const THRESHOLD = 3;
const unhandled = trackUnhandled();

const primary = await startUpstream({ failRate: 0, slowMs: 5_000, seed: 21 });
const backup = await startUpstream({ failRate: 0, slowMs: 0, seed: 22 });
const dir = mkdtempSync(join(tmpdir(), 'breakwater-proof-'));
const configFile = join(dir, 'gateway.json');
const config = (openMs: number) => ({
  listen: { host: '127.0.0.1', port: 0 },
  store: { file: join(dir, 'state.json') },
  upstreams: {
    primary: {
      url: primary.url,
      circuitBreaker: { trip: { kind: 'consecutive', threshold: THRESHOLD }, openMs },
    },
    backup: { url: backup.url },
  },
  routes: [
    {
      name: 'api',
      match: { path: '/api/' },
      targets: [{ upstream: 'primary' }, { upstream: 'backup' }],
      retry: { maxAttempts: 1 },
      timeout: { perTryMs: 500, totalMs: 2_000 },
    },
  ],
});
writeFileSync(configFile, JSON.stringify(config(OPEN_MS)));

const call = async (url: string): Promise<string> => {
  const response = await request(`${url}/api/thing`);
  await response.body.text();
  if (response.statusCode !== 200) return `status ${response.statusCode}`;
  return String(response.headers['x-breakwater-upstream']);
};

// 1. Flapping: clients call every few ms; the primary goes down and up `flaps` times.
let gateway = await serve(configFile);
const answers: Record<string, number> = {};
let stop = false;
const client = async (): Promise<void> => {
  while (!stop) {
    const answer = await call(gateway.url).catch((error: unknown) => `error ${String(error)}`);
    answers[answer] = (answers[answer] ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
const clients = Array.from({ length: 20 }, client);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const primaryAttemptsWhileDown: number[] = [];
for (let i = 0; i < flaps; i++) {
  await wait(flapMs);
  primary.setFailRate(1);
  const before = primary.served['5xx'] + primary.served.reset + primary.served.slow;
  await wait(flapMs);
  primaryAttemptsWhileDown.push(
    primary.served['5xx'] + primary.served.reset + primary.served.slow - before,
  );
  primary.setFailRate(0);
}
await wait(flapMs);
stop = true;
await Promise.all(clients);
// While down: the trip (THRESHOLD failures, as many as are in flight when it trips) and one
// probe per open period.
const probes = Math.ceil(flapMs / OPEN_MS) + 1;
const allowed = THRESHOLD + 20 + probes;

// 2. Kill -9 with the circuit open, restart on the same store.
writeFileSync(configFile, JSON.stringify(config(600_000)));
await gateway.stop('SIGTERM');
gateway = await serve(configFile);
primary.setFailRate(1);
for (let i = 0; i < THRESHOLD; i++) await call(gateway.url);
const trippedBy = await call(gateway.url);
await wait(300); // the file store's debounced write
const killedWith = await gateway.stop('SIGKILL');
primary.setFailRate(0);
const primaryBefore = primary.served.ok;
gateway = await serve(configFile);
const afterRestart = await call(gateway.url);
const primaryAfter = primary.served.ok;
const exit = await gateway.stop('SIGTERM');
await primary.close();
await backup.close();
rmSync(dir, { recursive: true, force: true });

const failed = Object.entries(answers)
  .filter(([answer]) => answer !== 'primary' && answer !== 'backup')
  .reduce((sum, [, n]) => sum + n, 0);

finish({
  suite: 'chaos-gateway',
  figures: {
    flaps,
    answers: JSON.stringify(answers),
    primaryAttemptsWhileDown: primaryAttemptsWhileDown.join(', '),
    killedWith,
  },
  checks: [
    check(
      'every request answered through the flapping',
      failed === 0 && (answers['primary'] ?? 0) > 0 && (answers['backup'] ?? 0) > 0,
      JSON.stringify(answers),
    ),
    check(
      `while the primary was down, at most the trip and one attempt per probe reached it (≤ ${allowed} per ${flapMs} ms outage)`,
      primaryAttemptsWhileDown.every((n) => n <= allowed),
      primaryAttemptsWhileDown.join(', '),
    ),
    check(
      'a gateway SIGKILLed with the circuit open comes back with it open (state restored from the file)',
      trippedBy === 'backup' && afterRestart === 'backup' && primaryAfter === primaryBefore,
      `before the kill: ${trippedBy}; after the restart: ${afterRestart}, primary asked ${primaryAfter - primaryBefore} times`,
    ),
    check('the restarted gateway exits 0 on SIGTERM', exit === 0, `exit ${exit}`),
    check('no unhandled rejection', unhandled() === 0, `${unhandled()}`),
  ],
});
