import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the simulated provider behaves right now. */
export type ProviderMode = 'healthy' | 'slow' | 'rate-limited' | 'down';

export interface ProviderOptions {
  /** Shown in answers, so the demo can tell the primary from the secondary. */
  readonly name: string;
  /** Latency of a healthy answer. */
  readonly latencyMs: number;
  /** Latency in `slow` mode. */
  readonly slowLatencyMs: number;
  /** Requests per second let through in `rate-limited` mode; the rest get 429. */
  readonly rateLimitPerSecond: number;
  /** The `Retry-After` sent with a 429, in seconds. */
  readonly retryAfterSeconds: number;
}

export interface SimulatedProvider {
  readonly url: string;
  mode: ProviderMode;
  /** Requests received, by status sent. */
  readonly served: Map<number, number>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/**
 * A stand-in for an AI provider over real HTTP on 127.0.0.1 (ephemeral port): it answers
 * `POST /v1/complete` with `{ text }`, and its `mode` makes it slow, rate-limited (429 with
 * `Retry-After`) or down (503), as a real one would be on a bad day.
 */
export async function startProvider(options: ProviderOptions): Promise<SimulatedProvider> {
  const pending = new Set<ReturnType<typeof setTimeout>>();
  const served = new Map<number, number>();
  let windowStart = 0;
  let inWindow = 0;

  const reply = (response: ServerResponse, status: number, body: unknown, headers = {}): void => {
    served.set(status, (served.get(status) ?? 0) + 1);
    send(response, status, body, headers);
  };

  const answerLater = (response: ServerResponse, delayMs: number, prompt: string): void => {
    const timer = setTimeout(() => {
      pending.delete(timer);
      reply(response, 200, {
        text: `${options.name}: answer to "${prompt}"`,
        provider: options.name,
      });
    }, delayMs);
    pending.add(timer);
  };

  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/complete') {
      reply(response, 404, { error: 'not found' });
      return;
    }
    readBody(request).then(
      (raw) => {
        let prompt: unknown;
        try {
          prompt = (JSON.parse(raw) as { prompt?: unknown }).prompt;
        } catch {
          prompt = undefined;
        }
        if (typeof prompt !== 'string' || prompt === '') {
          reply(response, 400, { error: 'body must be JSON with a non-empty "prompt"' });
          return;
        }
        switch (provider.mode) {
          case 'down':
            reply(response, 503, { error: 'service unavailable' });
            return;
          case 'rate-limited': {
            const now = Date.now();
            if (now - windowStart >= 1000) {
              windowStart = now;
              inWindow = 0;
            }
            if (++inWindow > options.rateLimitPerSecond) {
              reply(
                response,
                429,
                { error: 'rate limited' },
                { 'retry-after': String(options.retryAfterSeconds) },
              );
              return;
            }
            answerLater(response, options.latencyMs, prompt);
            return;
          }
          case 'slow':
            answerLater(response, options.slowLatencyMs, prompt);
            return;
          case 'healthy':
            answerLater(response, options.latencyMs, prompt);
            return;
        }
      },
      () => reply(response, 400, { error: 'unreadable body' }),
    );
  });
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const provider: SimulatedProvider = {
    url: `http://127.0.0.1:${port}`,
    mode: 'healthy',
    served,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return provider;
}
