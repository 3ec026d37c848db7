/**
 * A fake LLM provider on 127.0.0.1 (an ephemeral port) that speaks the streaming wire
 * formats of OpenAI-compatible chat completions and of Anthropic messages, and misbehaves
 * on demand: errors before the first chunk, slow starts, stalls, cut streams, malformed
 * chunks. It records what the real SDKs do to it, down to sockets closing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Wire = 'openai' | 'anthropic';

/** What one request gets. */
export type Reply =
  | { readonly status: number }
  /** The connection is dropped before any response. */
  | { readonly drop: true }
  | {
      /** Content chunks (text deltas) before the ending. */
      readonly chunks: number;
      /** Delay before each chunk after the first. */
      readonly gapMs?: number;
      /** Delay before the response headers and the first chunk. */
      readonly firstDelayMs?: number;
      /**
       * `finish`: the final chunk/event and the end marker; `cut`: the response ends without
       * them; `stall`: nothing more is sent until the client goes; `malformed`: a chunk of
       * broken JSON, then the end; `reset`: the socket is destroyed.
       */
      readonly then?: 'finish' | 'cut' | 'stall' | 'malformed' | 'reset';
    };

export interface FakeLLMServer {
  readonly url: string;
  /** Requests received, in order. */
  readonly requests: { readonly path: string; readonly body: unknown }[];
  /** Responses the client abandoned (the connection closed before the response ended). */
  abandoned(): number;
  /** Connections currently open. */
  openSockets(): number;
  /** What the next requests get; the last reply repeats. */
  plan(...replies: Reply[]): void;
  /**
   * Chooses each reply from the request's body instead (concurrent clients): `seen` counts
   * the earlier requests with the same body, so a client can be failed once, then served.
   */
  planBy(choose: (body: unknown, seen: number) => Reply): void;
  /** Responses neither ended nor abandoned yet. */
  inFlight(): number;
  close(): Promise<void>;
}

const sleep = (ms: number, res: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });

const send = (res: ServerResponse, event: string | undefined, data: string): void => {
  if (res.destroyed || res.writableEnded) return;
  res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`);
};

const openAIChunk = (delta: object, finish: string | null): string =>
  JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'fake-model',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

/** The events of each wire format: a preamble, one chunk per token, and the ending. */
const formats: Record<
  Wire,
  {
    preamble(res: ServerResponse): void;
    token(res: ServerResponse, i: number): void;
    finish(res: ServerResponse, tokens: number): void;
    error(status: number): object;
  }
> = {
  openai: {
    preamble: () => undefined,
    token: (res, i) => send(res, undefined, openAIChunk({ content: `t${i}` }, null)),
    finish: (res) => {
      send(res, undefined, openAIChunk({}, 'stop'));
      send(res, undefined, '[DONE]');
    },
    error: (status) => ({ error: { message: `fake ${status}`, type: 'server_error', code: null } }),
  },
  anthropic: {
    preamble: (res) => {
      send(
        res,
        'message_start',
        JSON.stringify({
          type: 'message_start',
          message: {
            id: 'msg_fake',
            type: 'message',
            role: 'assistant',
            model: 'fake-model',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 1, output_tokens: 0 },
          },
        }),
      );
      send(
        res,
        'content_block_start',
        JSON.stringify({
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
      );
    },
    token: (res, i) =>
      send(
        res,
        'content_block_delta',
        JSON.stringify({
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: `t${i}` },
        }),
      ),
    finish: (res, tokens) => {
      send(res, 'content_block_stop', JSON.stringify({ type: 'content_block_stop', index: 0 }));
      send(
        res,
        'message_delta',
        JSON.stringify({
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: tokens },
        }),
      );
      send(res, 'message_stop', JSON.stringify({ type: 'message_stop' }));
    },
    error: (status) => ({
      type: 'error',
      error: { type: status === 529 ? 'overloaded_error' : 'api_error', message: `fake ${status}` },
    }),
  },
};

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const part of req) text += String(part);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startFakeLLMServer(wire: Wire): Promise<FakeLLMServer> {
  const format = formats[wire];
  let replies: Reply[] = [{ chunks: 3 }];
  let chooser: ((body: unknown, seen: number) => Reply) | undefined;
  const seenBodies = new Map<string, number>();
  let served = 0;
  let abandoned = 0;
  let inFlight = 0;
  const requests: { path: string; body: unknown }[] = [];
  const sockets = new Set<Socket>();

  const respond = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (!res.writableEnded) abandoned++;
    });
    const body = await readBody(req);
    requests.push({ path: req.url ?? '', body });
    let reply: Reply;
    if (chooser === undefined) reply = replies[Math.min(served++, replies.length - 1)] as Reply;
    else {
      const key = JSON.stringify(body);
      const seen = seenBodies.get(key) ?? 0;
      seenBodies.set(key, seen + 1);
      reply = chooser(body, seen);
    }
    if ('drop' in reply) {
      req.socket.destroy();
      return;
    }
    if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(format.error(reply.status)));
      return;
    }
    await sleep(reply.firstDelayMs ?? 0, res);
    if (res.destroyed) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    format.preamble(res);
    for (let i = 1; i <= reply.chunks; i++) {
      if (i > 1) await sleep(reply.gapMs ?? 0, res);
      if (res.destroyed) return;
      format.token(res, i);
    }
    // The last chunk leaves the socket before the ending (which may destroy it).
    await sleep(reply.gapMs ?? 0, res);
    if (res.destroyed) return;
    switch (reply.then ?? 'finish') {
      case 'finish':
        format.finish(res, reply.chunks);
        res.end();
        return;
      case 'cut':
        res.end();
        return;
      case 'malformed':
        send(res, wire === 'anthropic' ? 'content_block_delta' : undefined, '{"choices": [ {oops');
        res.end();
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'stall':
        // Holds the response open until the client leaves.
        return;
    }
  };

  const server = createServer((req, res) => {
    respond(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A deep backlog: a thousand clients may connect at once.
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4_096 }, resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    abandoned: () => abandoned,
    openSockets: () => sockets.size,
    plan: (...next) => {
      replies = next;
      chooser = undefined;
      served = 0;
    },
    planBy: (choose) => {
      chooser = choose;
      seenBodies.clear();
    },
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
