/** One server-sent event: its bytes as received (ending with its blank line) and its fields. */
export interface SseEvent {
  readonly raw: Buffer;
  /** The `event:` field; undefined for the default `message`. */
  readonly event: string | undefined;
  /** The `data:` lines joined by `\n`; undefined when the event has none (a comment). */
  readonly data: string | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const NO_BYTES = Buffer.alloc(0);

/**
 * Where the event starting at `from` ends: just past the first blank line (`\r\n\r\n`, `\n\n`
 * or `\r\r`) in the bytes; -1 while it is not complete.
 */
function eventEnd(bytes: Buffer, from: number): number {
  const last = bytes.length - 1;
  for (let i = from; i < last; i++) {
    const byte = bytes[i];
    if (byte === LF) {
      if (bytes[i + 1] === LF) return i + 2;
    } else if (byte === CR) {
      const next = bytes[i + 1];
      if (next === LF && bytes[i + 2] === CR && bytes[i + 3] === LF) return i + 4;
      if (next === CR) return i + 2;
    }
  }
  return -1;
}

/** Where an event's lines end: before the blank line that closes it. */
const linesEnd = (raw: Buffer): number =>
  raw.length >= 4 && raw[raw.length - 1] === LF && raw[raw.length - 2] === CR
    ? raw.length - 4
    : raw.length - 2;

/** Whether `raw[start, end)` is the ASCII field name `name`. */
function isField(raw: Buffer, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (raw[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

/** An event's `event` and `data` fields, read from its lines. */
function parseEvent(raw: Buffer): SseEvent {
  const bodyEnd = linesEnd(raw);
  let event: string | undefined;
  let data: string | undefined;
  let lineStart = 0;
  while (lineStart < bodyEnd) {
    let lineEnd = lineStart;
    while (lineEnd < bodyEnd && raw[lineEnd] !== LF && raw[lineEnd] !== CR) lineEnd++;
    if (lineEnd > lineStart && raw[lineStart] !== COLON) {
      let colon = lineStart;
      while (colon < lineEnd && raw[colon] !== COLON) colon++;
      let valueStart = colon < lineEnd ? colon + 1 : lineEnd;
      if (raw[valueStart] === SPACE && valueStart < lineEnd) valueStart++;
      // Compared as bytes: only the two fields the gateway reads are decoded.
      if (isField(raw, lineStart, colon, 'data')) {
        const value = raw.toString('utf8', valueStart, lineEnd);
        data = data === undefined ? value : `${data}\n${value}`;
      } else if (isField(raw, lineStart, colon, 'event')) {
        event = raw.toString('utf8', valueStart, lineEnd);
      }
    }
    // A line ends with `\r\n`, `\n` or `\r`.
    lineStart = raw[lineEnd] === CR && raw[lineEnd + 1] === LF ? lineEnd + 2 : lineEnd + 1;
  }
  return { raw, event, data };
}

/**
 * Splits a byte stream into events as they complete; a partial event waits for its end.
 * It works on the bytes (the event boundaries are ASCII, never inside a UTF-8 character), so an
 * event's `raw` is the upstream's own bytes, passed on without decoding and encoding them again
 * (the SSE rows of BENCHMARKS.md "The gateway"); only the fields are decoded.
 */
export class SseParser {
  private pending: Buffer = NO_BYTES;
  private first = true;

  push(chunk: Uint8Array): SseEvent[] {
    let bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pending.length > 0) bytes = Buffer.concat([this.pending, bytes]);
    if (this.first && bytes.length > 0) {
      // A byte-order mark opening the stream is not part of its first event.
      if (bytes.length < 3 && bytes[0] === 0xef && (bytes.length < 2 || bytes[1] === 0xbb)) {
        this.pending = bytes;
        return [];
      }
      this.first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    const events: SseEvent[] = [];
    let start = 0;
    for (let end = eventEnd(bytes, start); end !== -1; end = eventEnd(bytes, start)) {
      events.push(parseEvent(bytes.subarray(start, end)));
      start = end;
    }
    this.pending = start === bytes.length ? NO_BYTES : bytes.subarray(start);
    return events;
  }
}
