import got from 'got';
import { describeClient } from './suite.js';

/** got puts the status on `response.statusCode`; its own retries are off. */
const plain = got.extend({ retry: { limit: 0 } });

describeClient('got', {
  call: (url, signal) => plain(url, signal === undefined ? {} : { signal }).text(),
  callWithOwnTimeout: (url, ms) => plain(url, { timeout: { request: ms } }).text(),
});
