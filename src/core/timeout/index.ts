export { TimeoutPolicy, timeout, type TimeoutEvent } from './policy.js';
export type { AdaptiveTimeoutOptions, TimeoutMode, TimeoutOptions } from './options.js';
