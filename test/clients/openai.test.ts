import OpenAI from 'openai';
import { describeClient } from './suite.js';

/** The openai SDK (v6) with its own retries off, so that breakwater's are the only ones. */
const clientFor = (url: string, timeout = 60_000): OpenAI =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey: 'test', maxRetries: 0, timeout });

const ask = (client: OpenAI, signal?: AbortSignal) =>
  client.chat.completions.create(
    { model: 'stub', messages: [{ role: 'user', content: 'hi' }] },
    signal === undefined ? {} : { signal },
  );

describeClient('openai', {
  call: (url, signal) => ask(clientFor(url), signal),
  callWithOwnTimeout: (url, ms) => ask(clientFor(url, ms)),
});
