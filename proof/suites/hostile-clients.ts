/**
 * Hostile clients against `breakwater serve`: slowloris connections that trickle their headers,
 * requests with 1 MB of headers, bodies past the limit, malformed JSON, and clients that start a
 * long stream and never read it — while ordinary clients keep calling. Promises: the gateway
 * keeps answering everyone else (every ordinary request 200), answers the hostile ones with the
 * right refusal, and stays within its memory bound.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startUpstream } from '../upstream.js';
import { serve } from '../serve.js';
import { check, finish, mib, percentile, profileOf, trackUnhandled } from '../report.js';

const profile = profileOf(process.argv);
const slowloris = profile === 'quick' ? 200 : 1_000;
const neverReaders = profile === 'quick' ? 20 : 100;
const durationMs = profile === 'quick' ? 6_000 : 20_000;
// The gateway's memory bound: its JavaScript heap is capped, so a gateway that needed more to
// serve these clients would crash (and fail the exit check). Resident memory is reported; it
// moves with the collector's timing, so it is a figure, not a verdict.
const HEAP_BOUND_MB = 128;
const BODY_LIMIT = 1024 * 1024;
const unhandled = trackUnhandled();

const upstream = await startUpstream({ failRate: 0, slowMs: 0 });
const dir = mkdtempSync(join(tmpdir(), 'breakwater-proof-'));
const configFile = join(dir, 'gateway.json');
writeFileSync(
  configFile,
  JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    limits: { bodyBytes: BODY_LIMIT },
    upstreams: { primary: { url: upstream.url } },
    routes: [
      {
        name: 'chat',
        match: { method: 'POST', path: '/v1/' },
        kind: 'openai',
        targets: [{ upstream: 'primary' }],
        stream: { firstChunkMs: 5_000, idleMs: 5_000 },
      },
    ],
  }),
);
const gateway = await serve(configFile, {
  env: { NODE_OPTIONS: `--max-old-space-size=${HEAP_BOUND_MB}` },
});
const { hostname, port } = new URL(gateway.url);
const rssStart = gateway.rss();
let peakRss = rssStart;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, gateway.rss())), 200);
const sockets: Socket[] = [];
const open = (): Socket => {
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  sockets.push(socket);
  return socket;
};

// Slowloris: a request line, then one header byte per second, forever.
const trickles: NodeJS.Timeout[] = [];
for (let i = 0; i < slowloris; i++) {
  const socket = open();
  socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  trickles.push(setInterval(() => socket.write('a'), 1_000));
}
// Never-readers: ask for a long stream, then stop reading (their socket buffers fill up).
for (let i = 0; i < neverReaders; i++) {
  const socket = open();
  const body = JSON.stringify({
    model: 'm',
    stream: true,
    messages: [{ role: 'user', content: 'long' }],
  });
  socket.write(
    `POST /v1/big/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.once('data', () => socket.pause());
}

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  request(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  }).then(async (r) => {
    await r.body.text();
    return r.statusCode;
  });

const refusals: Record<string, Record<string, number>> = {
  hugeHeaders: {},
  hugeBody: {},
  malformedJson: {},
};
const tally = (kind: string, outcome: number | string) => {
  const counts = (refusals[kind] ??= {});
  counts[String(outcome)] = (counts[String(outcome)] ?? 0) + 1;
};
const hostileRounds = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) {
    tally(
      'hugeHeaders',
      await post('/v1/chat/completions', '{}', { 'x-huge': 'h'.repeat(1024 * 1024) }).catch(
        () => 'closed',
      ),
    );
    tally(
      'hugeBody',
      await post('/v1/chat/completions', `{"x":"${'b'.repeat(BODY_LIMIT * 2)}"}`).catch(
        () => 'closed',
      ),
    );
    tally(
      'malformedJson',
      await post('/v1/chat/completions', '{"model": "m", "messages": [').catch(() => 'closed'),
    );
  }
};

const ordinary: number[] = [];
let ordinaryFailed = 0;
const until = performance.now() + durationMs;
const ordinaryClient = async (): Promise<void> => {
  while (performance.now() < until) {
    const started = performance.now();
    const status = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    ).catch(() => 0);
    if (status === 200) ordinary.push(performance.now() - started);
    else ordinaryFailed += 1;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
await Promise.all([hostileRounds(), ...Array.from({ length: 20 }, ordinaryClient)]);

clearInterval(sampler);
for (const timer of trickles) clearInterval(timer);
for (const socket of sockets) socket.destroy();
const exit = await gateway.stop('SIGTERM');
await upstream.close();
rmSync(dir, { recursive: true, force: true });
ordinary.sort((a, b) => a - b);

const only = (kind: string, allowed: readonly string[]) =>
  Object.keys(refusals[kind] ?? {}).every((outcome) => allowed.includes(outcome));

finish({
  suite: 'hostile-clients',
  figures: {
    slowlorisConnections: slowloris,
    neverReadingStreams: neverReaders,
    ordinaryRequests: ordinary.length,
    ordinaryP50Ms: percentile(ordinary, 50).toFixed(1),
    ordinaryP99Ms: percentile(ordinary, 99).toFixed(1),
    refusals: JSON.stringify(refusals),
    gatewayRssStart: mib(rssStart),
    gatewayRssPeak: mib(peakRss),
  },
  checks: [
    check(
      'every ordinary request answered 200 meanwhile',
      ordinaryFailed === 0 && ordinary.length > 0,
      `${ordinary.length} answered, ${ordinaryFailed} not`,
    ),
    check(
      '1 MB of headers refused (431) or the connection closed',
      only('hugeHeaders', ['431', 'closed']),
      JSON.stringify(refusals['hugeHeaders']),
    ),
    check(
      'a body past the limit refused with 413',
      only('hugeBody', ['413', 'closed']) && (refusals['hugeBody']?.['413'] ?? 0) > 0,
      JSON.stringify(refusals['hugeBody']),
    ),
    check(
      'malformed JSON refused with a 4xx, never a 5xx',
      Object.keys(refusals['malformedJson'] ?? {}).every((s) => /^4\d\d$/.test(s)),
      JSON.stringify(refusals['malformedJson']),
    ),
    check(
      `the gateway served it all within a ${HEAP_BOUND_MB} MB heap and exited 0 on SIGTERM afterwards`,
      exit === 0,
      `exit ${exit}`,
    ),
    check('no unhandled rejection', unhandled() === 0, `${unhandled()}`),
  ],
});
