export type { Backoff, BackoffFunction, RandomSource } from './backoff.js';
export type { Jitter } from './jitter.js';
export type { ConstantOptions, ExponentialOptions, LinearOptions } from './strategies.js';
export { constant, customBackoff, exponential, linear } from './strategies.js';
