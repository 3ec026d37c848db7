import { Agent, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createResilience, type Resilience } from '../../src/core/index.js';
import { httpHandler, type HttpHandler } from '../../src/http/index.js';
import { openEventStream, type SseClient } from '../../test/support/sse-client.js';
import { timeCall, type BenchMeasurement, type BenchSuite } from '../harness.js';

const OPERATIONS = 1_000;
const REQUESTS = 200;
const WARM_UP = 20;
const SSE_CLIENTS = 10;

const started: { close(): void }[] = [];

async function serve(resilience: Resilience): Promise<{ url: string; handler: HttpHandler }> {
  const handler = httpHandler(resilience);
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  started.push({ close: () => (handler.close(), server.closeAllConnections(), server.close()) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, handler };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One GET with node:http over a kept-alive connection, its body read to the end. */
function request(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      response.on('data', () => undefined);
      response.on('end', resolve);
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** Median milliseconds of one whole request (sent, answered, body read). */
async function medianRequestMs(url: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < WARM_UP + REQUESTS; i++) {
    const t0 = process.hrtime.bigint();
    await request(url);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= WARM_UP) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

/**
 * breakwater/http: the read routes with a thousand operations (some open), and what
 * connected event-stream clients cost an operation's call (nothing per call: the stream
 * reads metrics once a second).
 */
const suite: BenchSuite = {
  title: 'http',
  measure: async (): Promise<BenchMeasurement[]> => {
    const many = createResilience({ config: { defaults: { retry: false }, operations: {} } });
    for (let i = 0; i < OPERATIONS; i++) {
      const name = `op-${i}`;
      await many.execute(name, () => 'ok');
      if (i % 10 === 0) many.breaker(name)?.isolate();
    }
    const { url } = await serve(many);
    const healthMs = await medianRequestMs(`${url}/health`);
    const circuitsMs = await medianRequestMs(`${url}/circuits`);

    const alone = createResilience();
    const watched = createResilience();
    const call = (): string => 'ok';
    await alone.execute('call', call);
    await watched.execute('call', call);
    const watchedServer = await serve(watched);
    const clients: SseClient[] = await Promise.all(
      Array.from({ length: SSE_CLIENTS }, () => openEventStream(`${watchedServer.url}/events`)),
    );
    started.push({ close: () => clients.forEach((client) => client.close()) });
    // Interleaved, so that the machine's drift hits both sides alike.
    const without: number[] = [];
    const withClients: number[] = [];
    for (let round = 0; round < 3; round++) {
      without.push(await timeCall(() => alone.execute('call', call)));
      withClients.push(await timeCall(() => watched.execute('call', call)));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1] ?? Number.NaN;
    return [
      {
        name: `GET /health, ${OPERATIONS} operations`,
        library: 'breakwater',
        unit: 'ms',
        value: healthMs,
        target: '≤ 5 ms',
      },
      {
        name: `GET /circuits, ${OPERATIONS} operations`,
        library: 'breakwater',
        unit: 'ms',
        value: circuitsMs,
        target: '≤ 5 ms',
      },
      {
        name: 'resilience.execute(), no event-stream client',
        library: 'breakwater',
        unit: 'ns/call',
        value: median(without),
      },
      {
        name: `resilience.execute(), ${SSE_CLIENTS} event-stream clients`,
        library: 'breakwater',
        unit: 'ns/call',
        value: median(withClients),
      },
      {
        name: `call with ${SSE_CLIENTS} event-stream clients ÷ without`,
        library: 'breakwater',
        unit: '×',
        value: median(withClients) / median(without),
        target: '≤ 1.1×',
      },
    ];
  },
  teardown: () => {
    agent.destroy();
    for (const server of started.splice(0)) server.close();
    return Promise.resolve();
  },
};

export default suite;
