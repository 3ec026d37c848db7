import { describeClient } from './suite.js';

/** Node's own fetch: an error status is a `Response`, which users throw as it is. */
describeClient("Node's fetch", {
  async call(url, signal) {
    const response = await fetch(url, signal === undefined ? {} : { signal });
    await response.arrayBuffer();
    if (!response.ok) throw response;
    return response.status;
  },
  callWithOwnTimeout: (url, ms) => fetch(url, { signal: AbortSignal.timeout(ms) }),
});
