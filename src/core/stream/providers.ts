import type { StreamOptions } from './options.js';
import type { OpenAIChunkShape } from './sse.js';

/** The field of an Anthropic stream event that breakwater reads. */
export interface AnthropicEventShape {
  readonly type?: string;
}

/**
 * Whether an OpenAI chat-completion chunk ends a complete answer: a choice carries a
 * `finish_reason`, or it is the usage chunk that `stream_options: { include_usage: true }`
 * sends after the last choice (empty `choices`, `usage` set).
 */
export function isOpenAIComplete(chunk: OpenAIChunkShape): boolean {
  const choices = chunk.choices;
  if (choices === undefined) return false;
  if (choices.length === 0) return chunk.usage !== undefined && chunk.usage !== null;
  return choices.some((choice) => typeof choice.finish_reason === 'string');
}

/** Whether an Anthropic message-stream event ends a complete message: `message_stop`. */
export function isAnthropicComplete(event: AnthropicEventShape): boolean {
  return event.type === 'message_stop';
}

/** The stream limits without `isComplete`, as a preset takes them. */
export type StreamDeadlines = Omit<StreamOptions, 'isComplete'>;

/**
 * Stream limits for the openai SDK's `Stream` (`chat.completions.create({ stream: true })`)
 * and for `openAIChunks(body)`: the given deadlines and `isOpenAIComplete`.
 */
export function openAIStream(deadlines: StreamDeadlines = {}): StreamOptions<OpenAIChunkShape> {
  return { ...deadlines, isComplete: isOpenAIComplete };
}

/**
 * Stream limits for the Anthropic SDK's streams (`messages.create({ stream: true })` or
 * `messages.stream()`): the given deadlines and `isAnthropicComplete`.
 */
export function anthropicStream(
  deadlines: StreamDeadlines = {},
): StreamOptions<AnthropicEventShape> {
  return { ...deadlines, isComplete: isAnthropicComplete };
}
