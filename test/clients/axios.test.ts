import axios from 'axios';
import { describeClient } from './suite.js';

/** axios rejects an error status with an AxiosError carrying `response.status`. */
describeClient('axios', {
  call: (url, signal) => axios.get(url, signal === undefined ? {} : { signal }),
  callWithOwnTimeout: (url, ms) => axios.get(url, { timeout: ms }),
});
