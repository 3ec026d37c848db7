import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request a fake upstream received. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The JSON body, when it was JSON. */
  readonly json: Record<string, unknown> | undefined;
}

/** What a fake upstream does with one request. */
export type Behaviour =
  | {
      readonly type: 'json';
      readonly status?: number;
      readonly headers?: Record<string, string>;
      readonly body: unknown;
      readonly delayMs?: number;
    }
  | {
      readonly type: 'stream';
      /** SSE events, each sent as written (include the blank line). */
      readonly events: readonly string[];
      /** Wait before the response headers. */
      readonly headersDelayMs?: number;
      /** Wait before each event (the first included unless `firstDelayMs` is given). */
      readonly delayMs?: number;
      readonly firstDelayMs?: number;
      /** After this many events: `cut` destroys the socket, `stall` sends nothing more. */
      readonly after?: { readonly events: number; readonly then: 'cut' | 'stall' };
    }
  /** Destroys the connection without an answer. */
  | { readonly type: 'reset' }
  /** Never answers (the socket stays open until the client gives up). */
  | { readonly type: 'hang' };

export interface FakeUpstream {
  readonly url: string;
  readonly received: Received[];
  /** Responses the client closed before they were finished (a cancelled request). */
  cancelled(): number;
  /** Sockets held open by `hang`/`stall`, closed on `close()`. */
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function act(res: ServerResponse, behaviour: Behaviour): Promise<void> {
  switch (behaviour.type) {
    case 'json': {
      if (behaviour.delayMs !== undefined) await sleep(behaviour.delayMs);
      const body = JSON.stringify(behaviour.body);
      res.writeHead(behaviour.status ?? 200, {
        'content-type': 'application/json',
        ...behaviour.headers,
      });
      res.end(body);
      return;
    }
    case 'reset':
      res.socket?.destroy();
      return;
    case 'hang':
      return;
    case 'stream': {
      if (behaviour.headersDelayMs !== undefined) await sleep(behaviour.headersDelayMs);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      for (const [index, event] of behaviour.events.entries()) {
        if (behaviour.after !== undefined && index === behaviour.after.events) {
          if (behaviour.after.then === 'cut') res.socket?.destroy();
          return;
        }
        const wait =
          index === 0 ? (behaviour.firstDelayMs ?? behaviour.delayMs) : behaviour.delayMs;
        if (wait !== undefined) await sleep(wait);
        if (res.destroyed) return;
        // Written through before the next step, so a cut after it cuts after these bytes.
        await new Promise<void>((resolve) => res.write(event, () => resolve()));
      }
      res.end();
      return;
    }
  }
}

/** A scripted HTTP upstream on 127.0.0.1: `script(request, n)` decides what request n gets. */
export async function fakeUpstream(
  script: (request: Received, n: number) => Behaviour,
): Promise<FakeUpstream> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let cancelled = 0;
  const server: Server = createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) cancelled++;
    });
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      const request = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
        json,
      };
      received.push(request);
      void act(res, script(request, received.length));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    cancelled: () => cancelled,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** OpenAI chat-completion chunks: a role-only delta, one per token, a finish, `[DONE]`. */
export function openaiEvents(
  tokens: readonly string[],
  options: { readonly id?: string; readonly model?: string; readonly done?: boolean } = {},
): string[] {
  const base = {
    id: options.id ?? 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: options.model ?? 'gpt-4o',
  };
  const event = (choice: unknown): string =>
    `data: ${JSON.stringify({ ...base, choices: [choice] })}\n\n`;
  return [
    event({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }),
    ...tokens.map((token) => event({ index: 0, delta: { content: token }, finish_reason: null })),
    event({ index: 0, delta: {}, finish_reason: 'stop' }),
    ...(options.done === false ? [] : ['data: [DONE]\n\n']),
  ];
}

/** An OpenAI chat completion body. */
export function openaiCompletion(content: string, model = 'gpt-4o'): Record<string, unknown> {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
  };
}

/** An Anthropic Messages answer body. */
export function anthropicMessage(
  text: string,
  model = 'claude-3-5-sonnet',
): Record<string, unknown> {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    usage: { input_tokens: 5, output_tokens: 3 },
  };
}

/** Anthropic Messages stream events for `tokens`. */
export function anthropicEvents(tokens: readonly string[], model = 'claude-3-5-sonnet'): string[] {
  const event = (name: string, data: unknown): string =>
    `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  return [
    event('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        usage: { input_tokens: 5, output_tokens: 0 },
      },
    }),
    event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }),
    event('ping', { type: 'ping' }),
    ...tokens.map((text) =>
      event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text },
      }),
    ),
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: tokens.length },
    }),
    event('message_stop', { type: 'message_stop' }),
  ];
}

/** `n` tokens `t0 t1 …`, each with a trailing space. */
export const tokens = (n: number, from = 0): string[] =>
  Array.from({ length: n }, (_, i) => `t${i + from} `);
