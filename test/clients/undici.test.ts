import { Agent, interceptors, request } from 'undici';
import { afterAll } from 'vitest';
import { describeClient } from './suite.js';

/** undici's request, through its responseError interceptor: an error status throws ResponseError. */
const agent = new Agent().compose(interceptors.responseError());
afterAll(() => agent.close());

describeClient('undici', {
  async call(url, signal) {
    const response = await request(url, {
      dispatcher: agent,
      ...(signal === undefined ? {} : { signal }),
    });
    return response.body.text();
  },
  async callWithOwnTimeout(url, ms) {
    const response = await request(url, { dispatcher: agent, headersTimeout: ms });
    return response.body.text();
  },
});
