export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { sleep } from './abort.js';
export type { Listener, Unsubscribe } from './events.js';
export { onListenerError } from './events.js';
export type { Context, DetailedResult, Operation, Policy, Provenance } from './policy.js';
export { pipeline } from './pipeline.js';
export * from './errors/index.js';
export type { CircuitState } from './breaker/state.js';
export * from './classification/index.js';
export * from './backoff/index.js';
export type {
  CallFailureEvent,
  CallSuccessEvent,
  CircuitBreakerEvents,
  IgnoredErrorEvent,
  StateChangeEvent,
} from './breaker/events.js';
export { CircuitBreaker, circuitBreaker } from './breaker/circuit-breaker.js';
export type { CircuitBreakerOptions } from './breaker/circuit-breaker.js';
export { consecutive } from './breaker/consecutive.js';
export { failureRate } from './breaker/failure-rate.js';
export type { FailureRateOptions } from './breaker/failure-rate.js';
export type {
  SlowCallOptions,
  TripDescription,
  TripStrategy,
  TripWindowOptions,
} from './breaker/trip.js';
export { memoryStore } from './breaker/memory-store.js';
export type {
  CircuitSettings,
  CircuitSnapshot,
  CircuitStore,
  ProbeRelease,
  StoreLink,
  StoredCircuit,
  TransitionReason,
} from './breaker/store.js';
export * from './timeout/index.js';
