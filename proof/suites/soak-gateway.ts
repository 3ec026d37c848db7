/**
 * Soak through the gateway: a hundred thousand requests (ten thousand with --quick), half JSON and
 * half SSE streams, fifty at a time, through a gateway in front of a local upstream. Promises:
 * every request answered 200 and whole, the heap after within 10 % of the heap after warm-up,
 * no growth in handles or timers, and nothing left once the gateway is closed.
 */
import { Agent, request } from 'undici';
import { createGateway } from '../../src/gateway/index.js';
import { startUpstream } from '../upstream.js';
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
const requests = profile === 'quick' ? 10_000 : 100_000;
const concurrency = 50;
const unhandled = trackUnhandled();
const resourcesAtStart = activeResources();

const upstream = await startUpstream({ failRate: 0, slowMs: 0 });
const gateway = createGateway(
  {
    listen: { host: '127.0.0.1', port: 0 },
    upstreams: { primary: { url: upstream.url } },
    routes: [
      {
        name: 'chat',
        match: { method: 'POST', path: '/v1/chat/completions' },
        kind: 'openai',
        targets: [{ upstream: 'primary' }],
        stream: { firstChunkMs: 5_000, idleMs: 5_000 },
      },
    ],
  },
  { env: {} },
);
const { url } = await gateway.listen();
const client = new Agent({ connections: concurrency });

let whole = 0;
let broken = 0;
async function one(i: number): Promise<void> {
  const stream = i % 2 === 0;
  const response = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    dispatcher: client,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const text = await response.body.text();
  const ok =
    response.statusCode === 200 &&
    (stream
      ? text.endsWith('data: [DONE]\n\n') && text.includes('upstream')
      : text.includes('"Hello"'));
  if (ok) whole += 1;
  else broken += 1;
}

async function drive(count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await one(i).catch(() => {
        broken += 1;
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

await drive(2_000); // warm-up: pools, JIT, buffers
const warmWhole = whole;
const resourcesBefore = activeResources();
const heapBefore = heapAfterGc();
const started = performance.now();
await drive(requests);
const elapsedS = (performance.now() - started) / 1000;
const heapAfter = heapAfterGc();
const resourcesAfter = activeResources();

await client.close();
await gateway.close({ graceMs: 1_000 });
await upstream.close();
await new Promise((resolve) => setTimeout(resolve, 50));
const resourcesAtEnd = activeResources();
const sameAsStart = nothingAdded(resourcesAtEnd, resourcesAtStart);
const measured = whole - warmWhole;

finish({
  suite: 'soak-gateway',
  figures: {
    requests,
    requestsPerSecond: Math.round(requests / elapsedS),
    heapBefore: mib(heapBefore),
    heapAfter: mib(heapAfter),
    heapGrowth: `${(((heapAfter - heapBefore) / heapBefore) * 100).toFixed(1)} %`,
    resourcesWhileOpen: JSON.stringify(resourcesAfter),
  },
  checks: [
    check(
      'every request answered 200 and whole (JSON, and streams ending in [DONE])',
      broken === 0 && measured === requests,
      `${measured} whole, ${broken} broken of ${requests}`,
    ),
    check(
      'heap after ≤ heap before + 10 %',
      heapAfter <= heapBefore * 1.1,
      `${mib(heapBefore)} → ${mib(heapAfter)}`,
    ),
    // Four sockets per request in flight at most: client, gateway side, upstream pool, upstream side.
    check(
      'no growth in handles or timers while serving: sockets bounded by what is in flight',
      (resourcesAfter['TCPSocketWrap'] ?? 0) <= 4 * concurrency &&
        (resourcesAfter['Timeout'] ?? 0) <= concurrency,
      `after warm-up ${JSON.stringify(resourcesBefore)}, after the soak ${JSON.stringify(resourcesAfter)} (bound: ${4 * concurrency} sockets, ${concurrency} timers)`,
    ),
    check(
      'nothing left once closed',
      sameAsStart,
      `at start ${JSON.stringify(resourcesAtStart)}, at end ${JSON.stringify(resourcesAtEnd)}`,
    ),
    check('no unhandled rejection', unhandled() === 0, `${unhandled()}`),
  ],
});
