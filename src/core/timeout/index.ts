export { TimeoutPolicy, timeout, type TimeoutEvent } from './policy.js';
export type { TimeoutMode, TimeoutOptions } from './options.js';
