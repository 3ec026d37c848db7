/**
 * A service that starts degraded and heals itself.
 *
 * Its "local model" is a tiny HTTP server on 127.0.0.1 that is down at first (connections
 * are refused), comes up after ~3 s, goes down again at ~6 s and returns at ~7.5 s. The
 * service never waits for it: it answers from a canned fallback while the model is away,
 * retries in the background, switches to the model on its own when it answers, and
 * switches back when a monitoring check finds it gone. The second return is announced,
 * so recovery tries at once instead of waiting out its backoff. Ends by itself after ~10 s.
 *
 *   npx tsx examples/degraded-start.ts
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackgroundRecovery, CapabilityUpgrade, HealthProbe } from '../src/core/index.js';

const started = performance.now();
const log = (line: string): void => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(4);
  console.log(`[${seconds}s] ${line}`);
};

// --- The "local model": refuses connections while down, answers while up. ---------------

const model: Server = createServer((request, response) => {
  if (request.url === '/health') {
    response.end('ok');
    return;
  }
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ text: 'a thoughtful answer from the local model' }));
});

function listen(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    model.once('error', reject);
    model.listen(port, '127.0.0.1', () => {
      model.off('error', reject);
      resolve((model.address() as AddressInfo).port);
    });
  });
}

function shutDown(): Promise<void> {
  return new Promise((resolve) => {
    model.close(() => resolve());
    model.closeAllConnections();
  });
}

// Take an ephemeral port, then free it: until the model comes up, connecting is refused.
const port = await listen(0);
await shutDown();
const modelUrl = `http://127.0.0.1:${port}`;
log(`local model will live at ${modelUrl} (down for now)`);

// --- The service. --------------------------------------------------------------------------

type Answerer = (question: string) => Promise<string>;

const fallback: Answerer = (question) =>
  Promise.resolve(`canned reply to "${question}" (fallback)`);
const askModel: Answerer = async (question) => {
  const response = await fetch(`${modelUrl}/generate`, { method: 'POST', body: question });
  const { text } = (await response.json()) as { text: string };
  return `${text} (model)`;
};
let answer: Answerer = fallback;

/** Is the model answering? Cached briefly, single-flighted, a refusal or a hang is `false`. */
const modelHealth = new HealthProbe({
  name: 'local-model',
  check: async (signal) => (await fetch(`${modelUrl}/health`, { signal })).ok,
  cacheTtlMs: 200,
  timeoutMs: 500,
  unhealthyThreshold: 2,
  onUnhealthy: (status) =>
    log(`health: local-model unhealthy (${status.consecutiveFailures} failures in a row)`),
  onHealthy: () => log('health: local-model healthy again'),
});

/** Fallback ↔ model, switched as the model comes and goes. */
const capability = new CapabilityUpgrade({
  name: 'local-model',
  checkAvailable: modelHealth,
  activate: () => {
    answer = askModel;
  },
  deactivate: () => {
    answer = fallback;
  },
});
// Print the modes the service runs in (the brief `upgrading` step in between is left out).
let shownState: string = capability.state;
capability.onStateChange(({ to }) => {
  if (to === 'upgrading' || to === shownState) return;
  log(`capability: ${shownState} → ${to}`);
  shownState = to;
});

/** While degraded, keep trying to upgrade, backing off between attempts. */
const recovery = new BackgroundRecovery({
  name: 'local-model',
  recover: () => capability.tryUpgrade(),
  baseDelayMs: 300,
  multiplier: 1.6,
  maxDelayMs: 1_500,
  timeoutMs: 1_000,
  onSuccess: ({ attempts }) => {
    log(`recovery: model is back after ${attempts} attempts; watching for regressions`);
    capability.startMonitoring(400);
  },
});
recovery.onAttempt(({ attempt, ok, nextDelayMs }) => {
  if (!ok && nextDelayMs !== undefined) {
    log(`recovery: attempt ${attempt} failed, next in ${Math.round(nextDelayMs)} ms`);
  }
});

capability.onDowngrade(({ reason }) => {
  log(`capability: downgraded (${reason}); back to the fallback, recovering in the background`);
  void capability.stopMonitoring().then(() => recovery.start());
});

// Start fast: never wait for the model.
log('service: starting');
const upgraded = await capability.tryUpgrade();
log(
  upgraded
    ? 'service: ready, full'
    : `service: ready, degraded (model: ${modelHealth.status().lastError ?? 'unavailable'})`,
);
if (!upgraded) recovery.start();

// Serve a request every 800 ms from whichever answerer is active.
let questionNumber = 0;
const traffic = setInterval(() => {
  const question = `question ${++questionNumber}`;
  answer(question).then(
    (text) => log(`request: ${text}`),
    () => fallback(question).then((text) => log(`request: model failed mid-call → ${text}`)),
  );
}, 800);

// The model's life: down, up at 3 s, down at 6 s, up at 7.5 s.
const at = (ms: number, what: () => Promise<unknown>): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms - (performance.now() - started))).then(
    async () => void (await what()),
  );
await at(3_000, async () => {
  await listen(port);
  log('model: up');
});
await at(6_000, async () => {
  await shutDown();
  log('model: down');
});
await at(7_500, async () => {
  await listen(port);
  // This time something tells us (a container event, say): recovery tries again at once.
  log('model: up again, and the orchestrator says so → recovery.notifyConditionsChanged()');
  recovery.notifyConditionsChanged();
});
await at(10_000, async () => {
  clearInterval(traffic);
  await Promise.all([recovery.stop(), capability.stopMonitoring()]);
  await shutDown();
  log(`service: stopped, capability ${capability.state}`);
  log(`health endpoint would report: ${JSON.stringify(modelHealth.status())}`);
});
