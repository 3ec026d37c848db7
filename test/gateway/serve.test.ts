import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fakeUpstream,
  openaiCompletion,
  openaiEvents,
  tokens,
  type FakeUpstream,
} from '../support/fake-llm.js';
import { waitFor } from '../support/wait-for.js';
import { startServe, type ServeProcess } from './serve-process.js';

const run = promisify(execFile);
let dir: string;
let serving: ServeProcess | undefined;
const fakes: FakeUpstream[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-serve-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  if (serving !== undefined && serving.process.exitCode === null) {
    serving.process.kill('SIGKILL');
    await serving.exited;
  }
  serving = undefined;
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

function gatewayYaml(upstreamUrl: string, path = '/v1/chat/completions', admin = false): string {
  return [
    'listen: { host: 127.0.0.1, port: 0 }',
    ...(admin ? ['admin: { host: 127.0.0.1, port: 0, token: ${ADMIN_TOKEN} }'] : []),
    'upstreams:',
    '  main:',
    `    url: ${upstreamUrl}`,
    '    headers: { authorization: "Bearer ${UPSTREAM_KEY}" }',
    'routes:',
    '  - name: chat',
    '    kind: openai',
    `    match: { method: POST, path: ${path} }`,
    '    targets: [{ upstream: main }]',
    '',
  ].join('\n');
}

const curl = async (url: string, body: string): Promise<string> => {
  const { stdout } = await run('curl', [
    '-sS',
    '-N',
    '-D',
    '-',
    '-X',
    'POST',
    '-H',
    'content-type: application/json',
    '--data-binary',
    body,
    url,
  ]);
  return stdout;
};

describe('breakwater serve', () => {
  it('serves curl, streams and not, with the upstream key from the environment and no secret in its logs', async () => {
    const events = openaiEvents(tokens(5));
    const upstream = await fakeUpstream((request) =>
      request.json?.['stream'] === true
        ? { type: 'stream', events }
        : { type: 'json', body: openaiCompletion('plain') },
    );
    fakes.push(upstream);
    const file = join(dir, 'curl.yaml');
    writeFileSync(file, gatewayYaml(upstream.url, '/v1/chat/completions', true));
    serving = await startServe(file, {
      UPSTREAM_KEY: 'sk-very-secret',
      ADMIN_TOKEN: 'admin-token-very-secret',
    });
    const url = `${serving.url}/v1/chat/completions`;
    await waitFor(() => /admin on http:\/\/127\.0\.0\.1:\d+\n/.test(serving!.stdout()));
    const adminUrl = /admin on (\S+)\n/.exec(serving.stdout())?.[1];
    const circuits = (await (await fetch(`${adminUrl}/circuits`)).json()) as { name: string }[];
    expect(circuits.map((c) => c.name)).toEqual(['main']);

    const plain = await curl(url, JSON.stringify({ model: 'gpt-4o', messages: [] }));
    const [head, body] = plain.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head).toMatch(/x-breakwater-upstream: main/i);
    expect(head).toMatch(/x-breakwater-attempts: 1/i);
    expect(body).toBe(JSON.stringify(openaiCompletion('plain')));

    const streamed = await curl(
      url,
      JSON.stringify({ model: 'gpt-4o', stream: true, messages: [] }),
    );
    expect(streamed.split('\r\n\r\n').slice(1).join('\r\n\r\n')).toBe(events.join(''));

    expect(upstream.received[0]?.headers.authorization).toBe('Bearer sk-very-secret');
    await waitFor(() => serving!.logs().filter((r) => r['event'] === 'request').length === 2);
    const everything = serving.stdout() + JSON.stringify(serving.logs());
    expect(everything).not.toContain('sk-very-secret');
    expect(everything).not.toContain('admin-token-very-secret');
  });

  it('reloads a changed file, refuses a bad one and keeps serving the old, reloads on SIGHUP', async () => {
    const upstream = await fakeUpstream(() => ({ type: 'json', body: openaiCompletion('ok') }));
    fakes.push(upstream);
    const file = join(dir, 'reload.yaml');
    writeFileSync(file, gatewayYaml(upstream.url));
    serving = await startServe(file, { UPSTREAM_KEY: 'k' });
    const ask = (path: string) =>
      fetch(`${serving!.url}${path}`, { method: 'POST', body: '{"model":"m","messages":[]}' });
    expect((await ask('/v1/chat/completions')).status).toBe(200);

    writeFileSync(file, gatewayYaml(upstream.url, '/v2/chat'));
    await waitFor(() => serving!.logs().some((r) => r['event'] === 'config_applied'), 10_000);
    expect((await ask('/v2/chat')).status).toBe(200);
    expect((await ask('/v1/chat/completions')).status).toBe(404);

    writeFileSync(
      file,
      'listen: { port: 0 }\nupstreams: {}\nroutes: [{ name: x, match: {}, targets: [{ upstream: nowhere }] }]\n',
    );
    await waitFor(() => serving!.logs().some((r) => r['event'] === 'config_rejected'), 10_000);
    expect((await ask('/v2/chat')).status).toBe(200);
    const rejected = serving.logs().find((r) => r['event'] === 'config_rejected');
    expect(JSON.stringify(rejected)).toContain('routes.0.targets.0.upstream');

    // A file that is not even YAML any more: refused too, still serving the old config.
    writeFileSync(file, 'listen: { port: [\n  routes: ::\n');
    await waitFor(
      () => serving!.logs().filter((r) => r['event'] === 'config_rejected').length === 2,
      10_000,
      'the broken file to be refused',
    );
    expect((await ask('/v2/chat')).status).toBe(200);
    expect(serving.process.exitCode).toBeNull();

    writeFileSync(file, gatewayYaml(upstream.url, '/v3/chat'));
    serving.process.kill('SIGHUP');
    await waitFor(async () => (await ask('/v3/chat')).status === 200, 10_000, 'the SIGHUP reload');
  });

  it('SIGTERM with 50 streams in flight finishes every one of them and exits 0', async () => {
    const events = openaiEvents(tokens(20));
    const upstream = await fakeUpstream(() => ({ type: 'stream', events, delayMs: 25 }));
    fakes.push(upstream);
    const file = join(dir, 'drain.yaml');
    writeFileSync(file, gatewayYaml(upstream.url));
    serving = await startServe(file, { UPSTREAM_KEY: 'k' });
    const url = `${serving.url}/v1/chat/completions`;
    const streams = Array.from({ length: 50 }, () =>
      fetch(url, {
        method: 'POST',
        body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [] }),
      }).then(async (res) => ({ status: res.status, text: await res.text() })),
    );
    await waitFor(() => upstream.received.length === 50, 10_000, 'all 50 streams to start');
    serving.process.kill('SIGTERM');
    const results = await Promise.all(streams);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    for (const result of results) expect(result.text).toBe(events.join(''));
    expect(await serving.exited).toBe(0);
  });
});
