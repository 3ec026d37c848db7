/** One server-sent event: its text as received (ending with its blank line) and its fields. */
export interface SseEvent {
  readonly raw: string;
  /** The `event:` field; undefined for the default `message`. */
  readonly event: string | undefined;
  /** The `data:` lines joined by `\n`; undefined when the event has none (a comment). */
  readonly data: string | undefined;
}

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;

/**
 * Splits a byte stream into events as they complete; a partial event waits for its end.
 * Decoding is incremental, so a multi-byte character split across chunks stays whole.
 */
export class SseParser {
  private readonly decoder = new TextDecoder();
  private pending = '';

  push(chunk: Uint8Array): SseEvent[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const events: SseEvent[] = [];
    for (;;) {
      const match = BOUNDARY.exec(this.pending);
      if (match === null) break;
      const end = match.index + match[0].length;
      events.push(parseEvent(this.pending.slice(0, end), this.pending.slice(0, match.index)));
      this.pending = this.pending.slice(end);
    }
    return events;
  }

  /** What arrived after the last complete event (an event cut off by the end of the stream). */
  rest(): string {
    return this.pending + this.decoder.decode();
  }
}

function parseEvent(raw: string, body: string): SseEvent {
  let event: string | undefined;
  let data: string[] | undefined;
  for (const line of body.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') (data ??= []).push(value);
  }
  return { raw, event, data: data?.join('\n') };
}
