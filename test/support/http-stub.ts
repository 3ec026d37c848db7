import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A scripted HTTP server on 127.0.0.1 for tests that drive real clients. The first path
 * segments say what to do, the rest is whatever the client appends (an SDK's `/v1/chat/…`):
 * - `/status/<code>/…` answers `<code>` with a JSON error body (429 and 503 say
 *   `retry-after: 2`), and 200 with a body an SDK accepts;
 * - `/hang/…` never answers (the test or the client gives up);
 * - `/reset/…` destroys the connection as soon as the request arrives.
 */
export interface HttpStub {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests received so far, per first two path segments (`/status/429`, `/hang`). */
  hits(route: string): number;
  /** Hung requests whose connection the client closed. */
  readonly hungClosed: number;
  close(): Promise<void>;
}

const OK_BODY = JSON.stringify({
  id: 'stub',
  object: 'chat.completion',
  type: 'message',
  role: 'assistant',
  model: 'stub',
  created: 0,
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  content: [{ type: 'text', text: 'ok' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 1, output_tokens: 1, prompt_tokens: 1, completion_tokens: 1 },
});

function routeOf(url: string): string {
  const [first = '', second = ''] = url.split('?')[0]?.split('/').filter(Boolean) ?? [];
  return first === 'status' ? `/status/${second}` : `/${first}`;
}

function answer(route: string, res: ServerResponse): void {
  const status = Number(route.slice('/status/'.length));
  if (status === 200) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(OK_BODY);
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 429 || status === 503) headers['retry-after'] = '2';
  const body = JSON.stringify({
    type: 'error',
    error: { type: 'stub_error', message: `stub status ${status}` },
  });
  res.writeHead(status, headers).end(body);
}

export async function startHttpStub(): Promise<HttpStub> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let hungClosed = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const route = routeOf(req.url ?? '/');
    counts.set(route, (counts.get(route) ?? 0) + 1);
    // Read the body to its end, as a real server would, before answering.
    req.resume();
    if (route === '/hang') {
      res.on('close', () => hungClosed++);
      return;
    }
    if (route === '/reset') {
      req.socket.destroy();
      return;
    }
    req.on('end', () => answer(route, res));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (route) => counts.get(route) ?? 0,
    get hungClosed() {
      return hungClosed;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A URL on 127.0.0.1 where nothing listens: connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
