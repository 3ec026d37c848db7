export type { Clock } from './clock.js';
export type { EventHub, Listener, Unsubscribe } from './events.js';
export type { FailureEvent, FallbackEvent, RejectedEvent, SuccessEvent } from './outcome-events.js';
export type { Context, DetailedResult, Operation, Policy, Provenance } from './policy.js';
export { pipeline } from './pipeline.js';
export * from './errors/classes.js';
export { BreakwaterError, isBreakwaterError } from './errors/base.js';
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
  CircuitBreakerEvents,
  IgnoredErrorEvent,
  StateChangeEvent,
} from './breaker/events.js';
export { CircuitBreaker, circuitBreaker } from './breaker/circuit-breaker.js';
export type { CircuitStats } from './breaker/stats.js';
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
export { parseSnapshot } from './breaker/snapshot.js';
export type {
  CircuitSettings,
  CircuitSnapshot,
  CircuitStore,
  StoreHealth,
  ProbeRelease,
  StoreLink,
  StoredCircuit,
  TransitionReason,
} from './breaker/store.js';
export * from './timeout/index.js';
export type { PolicyLike } from './pipeline.js';
export type { PipelineOf, PipelineLayer, TypedPolicy } from './policy.js';
export type { ErrorFilter } from './error-filter.js';
export type { ErrorClass } from './error-filter.js';
export { Bulkhead, bulkhead } from './bulkhead/bulkhead.js';
export type { BulkheadEvents, BulkheadOptions } from './bulkhead/bulkhead.js';
export { RateLimit, rateLimit } from './rate-limit/rate-limit.js';
export type { RateLimitEvents, RateLimitOptions } from './rate-limit/rate-limit.js';
export { fallback } from './fallback/fallback.js';
export type {
  Fallback,
  FallbackEvents,
  FallbackOptions,
  FallbackValue,
} from './fallback/fallback.js';
export { fallbackChain } from './fallback-chain/fallback-chain.js';
export type {
  ChainEntry,
  FallbackChain,
  FallbackChainEvents,
  FallbackChainOptions,
} from './fallback-chain/fallback-chain.js';
export { staleCache } from './stale-cache/stale-cache.js';
export type {
  CacheKey,
  StaleCache,
  StaleCacheEvents,
  StaleCacheOptions,
} from './stale-cache/stale-cache.js';
export type { CacheEntry, StaleCacheStore } from './stale-cache/store.js';
export { Hedge, hedge } from './hedge/hedge.js';
export type { HedgeEvents, HedgeOptions, LatencyPercentile } from './hedge/hedge.js';
export { Chaos, chaos } from './chaos/chaos.js';
export type { ChaosEvents, ChaosOptions } from './chaos/chaos.js';
export { seededRandom } from './chaos/seeded-random.js';
export * from './stream/index.js';
export type { ChunkOf } from './policy.js';
export type { LatencySummary, OperationMetrics, OperationMetricsJSON } from './metrics/index.js';
export { Resilience, createResilience } from './orchestrator/resilience.js';
export type {
  ExecuteOptions,
  ExecuteStreamOptions,
  ResilienceOptions,
  UpdateOptions,
} from './orchestrator/resilience.js';
export { strategies, strategyNames } from './orchestrator/strategies.js';
export type { Strategy } from './orchestrator/strategies.js';
export type * from './orchestrator/config.js';
export type { AuditChange, AuditEntry, BreakerCommand } from './orchestrator/audit.js';
export type { AllMetrics, MetricsSummary, ResilienceHealth } from './orchestrator/health.js';
export type {
  CallEndEvent,
  CallStartEvent,
  OperationEvent,
  ResilienceObserver,
  RetryEvent as OperationRetryEvent,
  StateChangeEvent as OperationStateChangeEvent,
} from './orchestrator/observer.js';
export type {
  AnyFunction,
  FallbackFor,
  ResultOf,
  StreamWrapOptions,
  StreamingFunction,
  WrapOptions,
  WrappedStream,
  Wrapped,
  WrappedExtras,
} from './orchestrator/wrap-types.js';
export type { RejectionReason } from './orchestrator/observer.js';
export type { Logger, LogMethod } from './logging/logger.js';
export { presets, presetNames, isPresetName } from './presets/index.js';
export type { PresetName } from './presets/index.js';
