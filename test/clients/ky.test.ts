import ky from 'ky';
import { describeClient } from './suite.js';

/** ky throws an HTTPError holding the `Response`; its own retries are off. */
const plain = ky.extend({ retry: 0, timeout: false });

describeClient('ky', {
  call: (url, signal) => plain(url, signal === undefined ? {} : { signal }).text(),
  callWithOwnTimeout: (url, ms) => plain(url, { timeout: ms }).text(),
});
