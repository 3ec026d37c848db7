import type { RouteKind } from '../config/schema.js';
import type { SseEvent } from './parser.js';

/** What one event means for the stream it belongs to. */
export interface EventMeaning {
  /** Content the client must see (text or a tool call): the first one commits the response. */
  readonly content: boolean;
  /** The text this event adds to the answer (for a prefill resume). */
  readonly text: string;
  /** Whether it carries a tool call (a stream with one cannot be resumed from text). */
  readonly toolCall: boolean;
  /** The answer is complete (a finish reason / stop reason). */
  readonly finish: boolean;
  /** The stream's own end marker (`[DONE]`, `message_stop`). */
  readonly done: boolean;
  /** An in-band error sent by the upstream, with its message. */
  readonly error: string | undefined;
  /** Not parsable: dropped, logged and counted. */
  readonly malformed: boolean;
}

const NOTHING: EventMeaning = {
  content: false,
  text: '',
  toolCall: false,
  finish: false,
  done: false,
  error: undefined,
  malformed: false,
};

function parseJson(data: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(data) as unknown };
  } catch {
    return { ok: false };
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function errorMessage(error: unknown): string {
  if (isRecord(error) && typeof error['message'] === 'string') return error['message'];
  return typeof error === 'string' ? error : 'upstream error';
}

function openaiMeaning(event: SseEvent): EventMeaning {
  const data = event.data;
  if (data === undefined) return NOTHING;
  if (data.trim() === '[DONE]') return { ...NOTHING, done: true };
  const parsed = parseJson(data);
  if (!parsed.ok || !isRecord(parsed.value)) return { ...NOTHING, malformed: true };
  const body = parsed.value;
  if (body['error'] !== undefined && body['error'] !== null) {
    return { ...NOTHING, error: errorMessage(body['error']) };
  }
  const choices = Array.isArray(body['choices']) ? (body['choices'] as unknown[]) : [];
  let text = '';
  let toolCall = false;
  let content = false;
  let finish = false;
  for (const choice of choices) {
    if (!isRecord(choice)) continue;
    if (choice['finish_reason'] !== undefined && choice['finish_reason'] !== null) finish = true;
    const delta = isRecord(choice['delta']) ? choice['delta'] : undefined;
    const piece = delta?.['content'] ?? choice['text'];
    if (typeof piece === 'string' && piece.length > 0) {
      content = true;
      text += piece;
    }
    const tools = delta?.['tool_calls'];
    if ((Array.isArray(tools) && tools.length > 0) || isRecord(delta?.['function_call'])) {
      content = true;
      toolCall = true;
    }
  }
  // A literal rather than a spread: this runs for every event of every stream.
  return { content, text, toolCall, finish, done: false, error: undefined, malformed: false };
}

function anthropicMeaning(event: SseEvent): EventMeaning {
  const data = event.data;
  if (data === undefined) return NOTHING;
  const parsed = parseJson(data);
  if (!parsed.ok || !isRecord(parsed.value)) return { ...NOTHING, malformed: true };
  const body = parsed.value;
  const type = event.event ?? body['type'];
  switch (type) {
    case 'error':
      return { ...NOTHING, error: errorMessage(body['error']) };
    case 'content_block_delta': {
      const delta = isRecord(body['delta']) ? body['delta'] : {};
      if (delta['type'] === 'input_json_delta')
        return { ...NOTHING, content: true, toolCall: true };
      const text = typeof delta['text'] === 'string' ? delta['text'] : '';
      return { ...NOTHING, content: text.length > 0, text };
    }
    case 'content_block_start': {
      const block = isRecord(body['content_block']) ? body['content_block'] : {};
      const tool = block['type'] === 'tool_use';
      return { ...NOTHING, content: tool, toolCall: tool };
    }
    case 'message_delta': {
      const delta = isRecord(body['delta']) ? body['delta'] : {};
      return {
        ...NOTHING,
        finish: delta['stop_reason'] !== undefined && delta['stop_reason'] !== null,
      };
    }
    case 'message_stop':
      return { ...NOTHING, finish: true, done: true };
    default:
      return NOTHING;
  }
}

/** Any other event stream: every event with data is content; completeness is unknown. */
function plainMeaning(event: SseEvent): EventMeaning {
  if (event.data === undefined) return NOTHING;
  if (event.event === 'error') return { ...NOTHING, error: event.data };
  return { ...NOTHING, content: true };
}

/** How the gateway reads and finishes the event streams of one route kind. */
export interface Dialect {
  readonly kind: RouteKind;
  meaning(event: SseEvent): EventMeaning;
  /** Whether this kind knows when an answer is complete (so a cut can be told apart). */
  readonly knowsCompletion: boolean;
  /** The end marker appended when the upstream finished the answer but omitted its own. */
  readonly doneMarker: string;
  /** The in-band error that ends a stream broken after its first chunk (SPEC §10). */
  inBandError(message: string): string;
}

const sseData = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;

export const dialects: Readonly<Record<RouteKind, Dialect>> = {
  openai: {
    kind: 'openai',
    meaning: openaiMeaning,
    knowsCompletion: true,
    doneMarker: 'data: [DONE]\n\n',
    inBandError: (message) =>
      sseData({
        error: { message, type: 'stream_interrupted', code: 'upstream_stream_interrupted' },
      }),
  },
  anthropic: {
    kind: 'anthropic',
    meaning: anthropicMeaning,
    knowsCompletion: true,
    doneMarker: `event: message_stop\n${sseData({ type: 'message_stop' })}`,
    inBandError: (message) =>
      `event: error\n${sseData({ type: 'error', error: { type: 'api_error', message } })}`,
  },
  http: {
    kind: 'http',
    meaning: plainMeaning,
    knowsCompletion: false,
    doneMarker: '',
    inBandError: (message) =>
      `event: error\n${sseData({ error: { type: 'stream_interrupted', message } })}`,
  },
};
