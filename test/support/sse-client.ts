import { request, type IncomingMessage } from 'node:http';

/** One Server-Sent Event as a client parses it. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** A reading client of an event stream: what it received so far, and how to leave. */
export interface SseClient {
  readonly events: SseEvent[];
  /** Raw text received, comments included. */
  text: string;
  readonly response: IncomingMessage;
  close(): void;
}

/** Opens `url` as an event stream with node:http (one connection, no agent pooling). */
export function openEventStream(url: string): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } });
    req.on('error', reject);
    req.on('response', (response) => {
      const client: SseClient = {
        events: [],
        text: '',
        response,
        close: () => req.destroy(),
      };
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        client.text += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event !== undefined && data !== undefined) client.events.push({ event, data });
        }
      });
      response.on('error', () => undefined);
      resolve(client);
    });
    req.end();
  });
}
