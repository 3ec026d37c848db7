export type { Backoff, BackoffFunction, RandomSource } from './backoff.js';
export type { Jitter } from './jitter.js';
export type { ConstantOptions, ExponentialOptions, LinearOptions } from './strategies.js';
export { constant, custom, exponential, linear } from './strategies.js';
