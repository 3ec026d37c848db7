/**
 * The gateway under load (autocannon, one run each): direct to a fast local upstream, through
 * a bare undici pass-through (the limit), through Portkey's open-source gateway and through
 * `breakwater serve` — JSON and SSE answers — plus the memory of 1,000 concurrent streams.
 * Every server runs in its own process, so none shares the load generator's event loop.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { waitFor } from '../../test/support/wait-for.js';
import type { BenchMeasurement, BenchSuite } from '../harness.js';
import { loaderArgs, moduleExtension, repoRoot } from '../paths.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const DURATION_S = 5;
const CONNECTIONS = 50;
const STREAMS = 1_000;
const children: ChildProcess[] = [];
let dir: string | undefined;

function start(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  // Read even when nobody listens (Portkey): a full pipe would block a child that logs.
  child.stdout?.resume();
  return child;
}

/**
 * The first line matching `pattern` on the child's stdout (the port it listens on); whatever
 * the child prints later is read and dropped, not kept and searched again.
 */
function firstMatch(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdout = child.stdout;
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const found = pattern.exec(out);
      if (found?.[1] === undefined) return;
      stdout?.off('data', onData);
      resolve(found[1]);
    };
    stdout?.on('data', onData);
    child.once('exit', () =>
      reject(new Error(`exited before printing ${String(pattern)}: ${out}`)),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

interface Load {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** Requests answered with a 2xx (the ones the percentiles are of). */
  readonly answered: number;
}

async function load(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Load> {
  const options = {
    url,
    method: 'POST' as const,
    body,
    headers: { 'content-type': 'application/json', ...headers },
    connections: CONNECTIONS,
  };
  await autocannon({ ...options, duration: 1 }); // warm-up: connections, JIT
  // autocannon's own percentiles come from a histogram of whole milliseconds, too coarse for a
  // ratio of added latencies of 1–5 ms: each answered request's time is kept as measured.
  const times: number[] = [];
  const result = await autocannon({
    ...options,
    duration: DURATION_S,
    setupClient: (client) => {
      client.on('response', (status: number, _bytes: number, ms: number) => {
        if (status >= 200 && status < 300) times.push(ms);
      });
    },
  });
  times.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    errors: result.errors + result.timeouts + result.non2xx,
    answered: times.length,
  };
}

/** The value below which a share `q` of the sorted `times` falls (NaN when there are none). */
function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** 1,000 slow streams at once through the gateway; the peak resident memory while they run. */
async function manyStreams(
  url: string,
  pid: number,
): Promise<{ peakMb: number; complete: number }> {
  const pool = new Pool(new URL(url).origin, { connections: STREAMS, pipelining: 1 });
  let peakMb = residentMb(pid);
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, residentMb(pid))), 50);
  const body = JSON.stringify({ model: 'gpt-4o', stream: true, slow: true, messages: [] });
  const results = await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      const res = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      const text = await res.body.text();
      return text.endsWith('data: [DONE]\n\n');
    }),
  );
  clearInterval(sampler);
  await pool.close();
  return { peakMb, complete: results.filter(Boolean).length };
}

const gatewayConfig = (upstream: string): string =>
  JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    upstreams: { main: { url: upstream, connections: 256 } },
    routes: [
      {
        name: 'chat',
        kind: 'openai',
        match: { method: 'POST', path: '/v1/chat/completions' },
        targets: [{ upstream: 'main' }],
        retry: { maxAttempts: 2 },
      },
    ],
  });

const suite: BenchSuite = {
  title: 'gateway (autocannon)',
  async measure() {
    dir = mkdtempSync(join(tmpdir(), 'bw-bench-gw-'));
    const upstreamPort = await firstMatch(
      start([...loaderArgs, here(`../gateway/upstream${moduleExtension}`)]),
      /^(\d+)\n/,
    );
    const upstream = `http://127.0.0.1:${upstreamPort}`;
    const barePort = await firstMatch(
      start([...loaderArgs, here(`../gateway/bare-proxy${moduleExtension}`), upstream]),
      /^(\d+)\n/,
    );
    const file = join(dir, 'gateway.json');
    writeFileSync(file, gatewayConfig(upstream));
    // The published shape: the built CLI (tsc), not the TypeScript loader.
    execFileSync(process.execPath, [
      createRequire(import.meta.url).resolve('typescript/bin/tsc'),
      '-p',
      join(repoRoot, 'tsconfig.build.json'),
    ]);
    const breakwater = start([join(repoRoot, 'dist/cli/main.js'), 'serve', '--config', file]);
    const breakwaterUrl = await firstMatch(breakwater, /listening on (http:\/\/\S+)\n/);
    const portkeyPort = await freePort();
    const portkeyMain = createRequire(import.meta.url).resolve(
      '@portkey-ai/gateway/build/start-server.js',
    );
    start([portkeyMain, `--port=${portkeyPort}`, '--headless'], { NODE_ENV: 'production' });
    const portkeyUrl = `http://127.0.0.1:${portkeyPort}`;
    await waitFor(
      async () =>
        fetch(`${portkeyUrl}/`).then(
          () => true,
          () => false,
        ),
      20_000,
      'Portkey to listen',
    );
    // Portkey's route to the same upstream: the openai provider with a custom host.
    const portkeyHeaders = {
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${upstream}/v1`,
      authorization: 'Bearer bench',
    };
    const targets: [string, string, Record<string, string>][] = [
      ['direct', upstream, {}],
      ['bare undici proxy', `http://127.0.0.1:${barePort}`, {}],
      ['portkey', portkeyUrl, portkeyHeaders],
      ['breakwater serve', breakwaterUrl, {}],
    ];
    const rows: BenchMeasurement[] = [];
    for (const [payload, body] of [
      ['JSON', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })],
      [
        'SSE',
        JSON.stringify({
          model: 'gpt-4o',
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      ],
    ] as const) {
      const measured = new Map<string, Load>();
      for (const [library, base, headers] of targets) {
        process.stderr.write(`  ${payload} ${library}\n`);
        const result = await load(`${base}/v1/chat/completions`, body, headers);
        measured.set(library, result);
        rows.push(
          { name: `${payload}: requests/s`, library, value: result.rps, unit: 'req/s' },
          {
            name: `${payload}: p50 / p99 latency`,
            library,
            value: result.p50,
            unit: `ms / ${result.p99.toFixed(2)} ms p99, ${result.errors} errors`,
          },
        );
      }
      const direct = measured.get('direct');
      const bare = measured.get('bare undici proxy');
      const portkey = measured.get('portkey');
      const ours = measured.get('breakwater serve');
      if (direct && bare && portkey && ours) {
        rows.push(
          {
            name: `${payload}: breakwater rps ÷ bare proxy`,
            library: 'breakwater serve',
            value: ours.rps / bare.rps,
            unit: '×',
            target: '≥ 0.8×',
          },
          {
            name: `${payload}: breakwater rps ÷ Portkey`,
            library: 'breakwater serve',
            // A Portkey that answers nothing with a 2xx is fast at failing: no ratio to it.
            value: portkey.answered > 0 ? ours.rps / portkey.rps : Number.NaN,
            unit:
              portkey.answered > 0
                ? '×'
                : `× (not measured: Portkey answered none of its requests, ${portkey.errors} errors)`,
            target: '≥ 2×',
          },
          {
            name: `${payload}: added p50 ÷ bare proxy's added p50`,
            library: 'breakwater serve',
            value: (ours.p50 - direct.p50) / Math.max(0.001, bare.p50 - direct.p50),
            unit: `× (${(ours.p50 - direct.p50).toFixed(2)} ms vs ${(bare.p50 - direct.p50).toFixed(2)} ms)`,
            target: '≤ 1.5×',
          },
        );
      }
    }
    process.stderr.write(`  ${STREAMS} concurrent streams\n`);
    const before = residentMb(breakwater.pid ?? 0);
    const streams = await manyStreams(breakwaterUrl, breakwater.pid ?? 0);
    rows.push({
      name: 'resident memory after the load runs, before the streams',
      library: 'breakwater serve',
      value: before,
      unit: 'MB',
    });
    rows.push({
      name: `${STREAMS} concurrent streams: peak resident memory`,
      library: 'breakwater serve',
      value: streams.peakMb,
      unit: `MB (${streams.complete}/${STREAMS} complete)`,
      target: '≤ 100 MB',
    });
    return rows;
  },
  teardown() {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  },
};

export default suite;
