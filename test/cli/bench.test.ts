import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench, type BenchIo } from '../../src/cli/bench/command.js';
import type { LoadFigures } from '../../src/cli/bench/load.js';

let server: Server;
let url: string;
let served = 0;
const servedPaths = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    served += 1;
    servedPaths.set(req.url ?? '', (servedPaths.get(req.url ?? '') ?? 0) + 1);
    res.writeHead(req.url === '/broken' ? 500 : 200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function io(): BenchIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: { write: (text: string) => err.push(text) },
    startGateway: () => Promise.reject(new Error('no gateway in this test')),
  };
}

describe('breakwater bench', () => {
  it('loads a URL and reports p50/p99, requests per second and errors as JSON', async () => {
    const before = served;
    const cli = io();
    const code = await runBench(
      [`${url}/ok`, '--connections', '2', '--duration', '1', '--json'],
      cli,
    );
    expect(code).toBe(0);
    const { runs } = JSON.parse(cli.out.join('')) as { runs: LoadFigures[] };
    expect(runs).toHaveLength(1);
    const [direct] = runs;
    expect(direct).toMatchObject({ label: 'direct', url: `${url}/ok`, errors: 0, non2xx: 0 });
    expect(direct?.requests).toBeGreaterThan(0);
    // Every request autocannon counted reached the server.
    expect(served - before).toBeGreaterThanOrEqual(direct?.requests ?? Infinity);
    expect(direct?.requestsPerSecond).toBeGreaterThan(0);
    expect(direct?.p99Ms).toBeGreaterThanOrEqual(direct?.p50Ms ?? Infinity);
  });

  it('counts answers that are not 2xx as errors, and prints a table by default', async () => {
    const cli = io();
    expect(await runBench([`${url}/broken`, '-c', '1', '-d', '1'], cli)).toBe(0);
    const table = cli.out.join('');
    expect(table).toMatch(/requests\/s/);
    expect(table).toMatch(/p50 latency \(ms\)/);
    expect(table).toMatch(/errors\s+\d+ \(\d+ not 2xx\)/);
    // Progress went to stderr as plain lines (not a terminal here).
    expect(cli.err.join('')).toMatch(/direct: 1\/1 s, \d+ answered/);
  });

  it.each([
    [[], /exactly one <url>/],
    [['not a url'], /not a URL/],
    [['ftp://127.0.0.1/'], /http:\/\/ or https:\/\//],
    [
      ['http://127.0.0.1/', '--connections', '0'],
      /--connections must be a whole number from 1 to 10000, got "0"/,
    ],
    [
      ['http://127.0.0.1/', '--duration', '1.5'],
      /--duration must be a whole number from 1 to 3600, got "1.5"/,
    ],
    [['http://127.0.0.1/', '--bogus'], /Unknown option '--bogus'/],
  ])('bad arguments %j: a usage line and exit 2', async (argv, message) => {
    const cli = io();
    expect(await runBench(argv, cli)).toBe(2);
    const err = cli.err.join('');
    expect(err).toMatch(message);
    expect(err).toMatch(/usage: breakwater bench <url>/);
    expect(cli.out).toEqual([]);
  });
});

describe('breakwater bench --through (the CLI, in its own process)', () => {
  it('sends the same load through a gateway started from the file, side by side', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-through-'));
    try {
      const file = join(dir, 'gateway.yaml');
      // The upstream's base path tells the gateway's requests from the direct ones.
      writeFileSync(
        file,
        [
          'listen: { host: 127.0.0.1, port: 0 }',
          `upstreams: { api: { url: "${url}/via-gateway" } }`,
          'routes: [{ name: rest, match: { path: /ok }, targets: [{ upstream: api }] }]',
        ].join('\n'),
      );
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/main.ts',
          'bench',
          `${url}/ok`,
          '-c',
          '2',
          '-d',
          '1',
          '--through',
          file,
          '--json',
        ],
        { timeout: 30_000 },
      );
      const { runs } = JSON.parse(stdout) as { runs: LoadFigures[] };
      expect(runs.map((r) => r.label)).toEqual(['direct', 'gateway']);
      const [direct, gateway] = runs as [LoadFigures, LoadFigures];
      expect(direct.errors).toBe(0);
      expect(gateway.errors).toBe(0);
      expect(gateway.url).not.toBe(direct.url);
      expect(servedPaths.get('/via-gateway/ok')).toBeGreaterThanOrEqual(gateway.requests);
      expect(servedPaths.get('/ok')).toBeGreaterThanOrEqual(direct.requests);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a gateway file with problems is reported, not a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-through-'));
    try {
      const file = join(dir, 'gateway.yaml');
      writeFileSync(file, 'listen: { port: 0 }\nroutes: []\n');
      const run = promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'bench', `${url}/ok`, '-d', '1', '--through', file],
        { timeout: 30_000 },
      );
      const failure = (await run.catch((error: unknown) => error)) as {
        code: number;
        stderr: string;
      };
      expect(failure.code).toBe(1);
      expect(failure.stderr).toMatch(/problem\(s\)/);
      expect(failure.stderr).toMatch(/upstreams/);
      expect(failure.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
