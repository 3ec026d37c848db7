import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openaiEvents, tokens } from '../support/fake-llm.js';
import { waitFor } from '../support/wait-for.js';
import { startGateway, type Running } from './helpers.js';

let running: Running | undefined;
let upstream: LongAnswers | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await running?.close();
  running = undefined;
  upstream?.server.closeAllConnections();
  await new Promise((resolve) => upstream?.server.close(resolve) ?? resolve(undefined));
  upstream = undefined;
});

interface LongAnswers {
  readonly server: Server;
  readonly url: string;
  /** Answers the client closed before their end. */
  cancelled: number;
  requests: number;
}

/**
 * An upstream whose first answer is a stream of several MB (more than a client's socket
 * buffers hold, so a client that stops reading holds the gateway's writes back), written as
 * fast as the reader takes it; later answers are short streams.
 */
async function longAnswers(): Promise<LongAnswers> {
  const long = openaiEvents(tokens(60_000));
  const short = openaiEvents(tokens(3));
  const state = { cancelled: 0, requests: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.requests += 1;
      const events = state.requests === 1 ? long : short;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let next = 0;
      const pump = (): void => {
        while (next < events.length) {
          if (!res.write(events[next++])) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {
        if (!res.writableFinished) state.cancelled += 1;
      });
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { server, url: `http://127.0.0.1:${port}` });
}

/** A client that asks for a stream, reads its first bytes, then reads nothing more. */
function neverReader(url: string): { socket: Socket; closed: Promise<void> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  socket.on('error', () => undefined);
  const body = JSON.stringify({ model: 'gpt-4o', stream: true, messages: [] });
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.once('data', () => socket.pause());
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed };
}

describe('a client that stops reading a stream', () => {
  it('is disconnected after idleMs without draining, and the upstream is not blamed', async () => {
    upstream = await longAnswers();
    running = await startGateway({
      listen: { port: 0 },
      // One failure would open the circuit: a slow client must not be that failure.
      upstreams: {
        main: {
          url: upstream.url,
          circuitBreaker: { trip: { kind: 'consecutive', threshold: 1 }, openMs: 60_000 },
        },
      },
      routes: [
        {
          name: 'chat',
          kind: 'openai',
          match: { method: 'POST', path: '/v1/chat/completions' },
          targets: [{ upstream: 'main' }],
          retry: { maxAttempts: 1 },
          stream: { firstChunkMs: 2_000, idleMs: 300 },
        },
      ],
    });
    const client = neverReader(running.url);
    // Once the client's buffer stays full past idleMs the gateway gives up on it and cancels
    // the upstream's answer rather than holding it open.
    await waitFor(() => upstream?.cancelled === 1, 10_000, 'the upstream answer to be cancelled');
    await waitFor(() => running?.gateway.inFlight() === 0, 10_000, 'the request to end');
    // The client finds its connection closed, without the answer's end.
    let tail = '';
    client.socket.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-100)));
    client.socket.resume();
    await client.closed;
    expect(tail).not.toContain('[DONE]');

    // With a threshold of one failure, a circuit still closed means nothing was counted.
    expect(running.gateway.resilience.breaker('main')?.state).toBe('closed');
    expect(running.gateway.resilience.metrics('main')?.toJSON().circuitOpens).toBe(0);
    // The next client is served by the same upstream.
    const response = await fetch(`${running.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-breakwater-upstream')).toBe('main');
    await response.text();
  });
});
