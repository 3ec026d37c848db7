import Anthropic from '@anthropic-ai/sdk';
import { describeClient } from './suite.js';

/** The Anthropic SDK with its own retries off; 529 is its overload status. */
const clientFor = (url: string, timeout = 60_000): Anthropic =>
  new Anthropic({ baseURL: url, apiKey: 'test', maxRetries: 0, timeout });

const ask = (client: Anthropic, signal?: AbortSignal) =>
  client.messages.create(
    { model: 'stub', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] },
    signal === undefined ? {} : { signal },
  );

describeClient('@anthropic-ai/sdk', {
  call: (url, signal) => ask(clientFor(url), signal),
  callWithOwnTimeout: (url, ms) => ask(clientFor(url, ms)),
  transientStatuses: [429, 500, 503, 529],
});
