export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { sleep } from './abort.js';
export type { Listener, Unsubscribe } from './events.js';
export { onListenerError } from './events.js';
export type { Context, DetailedResult, Operation, Policy, Provenance } from './policy.js';
export { pipeline } from './pipeline.js';
export * from './errors/index.js';
export type { CircuitState } from './breaker/state.js';
export type { CheckFunction, HealthCheckable } from './health/checkable.js';
export { isHealthCheckable } from './health/checkable.js';
export type {
  CheckOptions,
  HealthCallback,
  HealthCheckEvent,
  HealthProbeOptions,
  HealthStatus,
} from './health/probe.js';
export { HealthProbe } from './health/probe.js';
export type { Recoverable, RecoverFunction } from './recovery/recoverable.js';
export { isRecoverable } from './recovery/recoverable.js';
export type {
  BackgroundRecoveryOptions,
  RecoveryAttemptEvent,
  RecoveryPausedEvent,
  RecoveryState,
  RecoveryStateChange,
  RecoveryStatus,
  RecoverySuccessEvent,
} from './recovery/recovery.js';
export { BackgroundRecovery } from './recovery/recovery.js';
export type {
  CapabilityDowngradeEvent,
  CapabilityState,
  CapabilityStateChange,
  CapabilityStatus,
  CapabilityUpgradeEvent,
  CapabilityUpgradeFailedEvent,
  CapabilityUpgradeOptions,
  TryUpgradeOptions,
} from './capability/capability.js';
export { CapabilityUpgrade } from './capability/capability.js';
export * from './classification/index.js';
export * from './backoff/index.js';
export * from './retry/index.js';
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
