/**
 * A local upstream for the gateway suites, on 127.0.0.1 and an ephemeral port: JSON answers and
 * OpenAI-style SSE streams, failing a chosen share of requests in a seeded, replayable mix of
 * 5xx answers, connection resets and answers slower than any per-try timeout.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../src/core/index.js';

export interface UpstreamOptions {
  /** Share of requests that fail (0–1). */
  readonly failRate: number;
  /** How long a "slow" failure takes to answer, in ms. */
  readonly slowMs: number;
  readonly seed?: number;
}

export interface Upstream {
  readonly url: string;
  /** Requests seen, by how they were answered. */
  readonly served: Record<'ok' | '5xx' | 'reset' | 'slow', number>;
  /** Changes the failing share while running (an outage is 1, recovery 0). */
  setFailRate(rate: number): void;
  close(): Promise<void>;
}

const chunks = (model: string): string[] => [
  ...['Hel', 'lo', ' from', ' the', ' upstream'].map(
    (content) =>
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`,
  ),
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
  'data: [DONE]\n\n',
];

/** `/big` streams this many SSE content events (about 100 bytes each): a long answer. */
const BIG_STREAM_EVENTS = 100_000;

/** Writes a long SSE answer, respecting backpressure as a real server does. */
function bigStream(res: ServerResponse, model: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const event = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: 'x'.repeat(40) }, finish_reason: null }] })}\n\n`;
  let sent = 0;
  const pump = (): void => {
    while (sent < BIG_STREAM_EVENTS) {
      sent += 1;
      if (!res.write(event)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end(
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
    );
  };
  res.on('close', () => res.off('drain', pump));
  pump();
}

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  let request: { model?: string; stream?: boolean } = {};
  try {
    request = JSON.parse(body || '{}') as typeof request;
  } catch {
    // not JSON: answered as a plain request
  }
  const model = request.model ?? 'upstream-model';
  if (request.stream === true && req.url?.includes('/big') === true) {
    bigStream(res, model);
    return;
  }
  if (request.stream === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const chunk of chunks(model)) res.write(chunk);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'r1',
      object: req.url?.startsWith('/v1/') ? 'chat.completion' : 'answer',
      model,
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' },
      ],
    }),
  );
}

export async function startUpstream(options: UpstreamOptions): Promise<Upstream> {
  const random = seededRandom(options.seed ?? 1);
  let failRate = options.failRate;
  const served = { ok: 0, '5xx': 0, reset: 0, slow: 0 };
  const slowTimers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (random() >= failRate) {
        served.ok += 1;
        answer(req, res, body);
        return;
      }
      const kind = random();
      if (kind < 0.5) {
        served['5xx'] += 1;
        res.writeHead(kind < 0.25 ? 500 : 503, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"upstream failure","type":"server_error"}}');
      } else if (kind < 0.75) {
        served.reset += 1;
        req.socket.destroy();
      } else {
        served.slow += 1;
        const timer = setTimeout(() => {
          slowTimers.delete(timer);
          if (!res.destroyed) answer(req, res, body);
        }, options.slowMs);
        slowTimers.add(timer);
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    setFailRate: (rate) => {
      failRate = rate;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of slowTimers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
