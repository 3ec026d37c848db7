export { stream, StreamPolicy } from './policy.js';
export type { StreamOptions } from './options.js';
export type { StreamOperation, StreamSource } from './open.js';
export { openAIChunks, sseEvents } from './sse.js';
export type { ByteSource, OpenAIChunkShape, SSEEvent } from './sse.js';
export {
  anthropicStream,
  isAnthropicComplete,
  isOpenAIComplete,
  openAIStream,
} from './providers.js';
export type { AnthropicEventShape, StreamDeadlines } from './providers.js';
