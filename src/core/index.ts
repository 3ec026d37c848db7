export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { sleep } from './abort.js';
export type { Listener, Unsubscribe } from './events.js';
export { onListenerError } from './events.js';
export type { Context, DetailedResult, Operation, Policy, Provenance } from './policy.js';
export { pipeline } from './pipeline.js';
export * from './errors/index.js';
export type { CircuitState } from './breaker/state.js';
