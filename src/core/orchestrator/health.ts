import type { CircuitSnapshot, CircuitStore, StoreHealth } from '../breaker/store.js';
import type { OperationMetricsJSON } from '../metrics/operation-metrics.js';
import type { OperationEntry } from './operation.js';

export interface ResilienceHealth {
  /** False while any breaker is open or isolated. */
  readonly healthy: boolean;
  /** Names of the operations whose breaker is open (or isolated by an operator). */
  readonly openCircuitBreakers: string[];
  readonly halfOpenCircuitBreakers: string[];
  readonly totalCircuitBreakers: number;
  /** ISO timestamp. */
  readonly timestamp: string;
  /**
   * The breaker store's connection, when the store reports one (Redis). An unreachable store
   * does not make the service unhealthy — breakers keep deciding locally — but shows here.
   */
  readonly store?: StoreHealth;
}

export interface MetricsSummary {
  readonly totalOperations: number;
  readonly totalCircuitBreakers: number;
  readonly openCircuitBreakers: number;
  readonly totalCalls: number;
  readonly successfulCalls: number;
  readonly failedCalls: number;
  readonly fallbackCalls: number;
  readonly rejectedCalls: number;
  readonly retryAttempts: number;
  /** Successful calls over finished calls across every operation, 0..1. */
  readonly successRate: number;
}

export interface AllMetrics {
  readonly operations: Record<string, OperationMetricsJSON>;
  readonly circuitBreakers: Record<string, CircuitSnapshot>;
  readonly summary: MetricsSummary;
}

export function healthOf(
  entries: Iterable<OperationEntry>,
  now: number,
  store: CircuitStore | undefined,
): ResilienceHealth {
  const open: string[] = [];
  const halfOpen: string[] = [];
  let total = 0;
  for (const entry of entries) {
    const breaker = entry.layers.breaker;
    if (breaker === undefined) continue;
    total++;
    const state = breaker.state;
    if (state === 'open' || state === 'isolated') open.push(entry.name);
    else if (state === 'half-open') halfOpen.push(entry.name);
  }
  return {
    healthy: open.length === 0,
    openCircuitBreakers: open,
    halfOpenCircuitBreakers: halfOpen,
    totalCircuitBreakers: total,
    timestamp: new Date(now).toISOString(),
    ...storeHealth(store),
  };
}

function storeHealth(store: CircuitStore | undefined): { store?: StoreHealth } {
  const status = store?.status?.();
  if (status === undefined) return {};
  const { connection, lastError, onStoreUnavailable: policy, localProbes, refusedProbes } = status;
  return {
    store: {
      connection,
      ...(lastError === undefined ? {} : { lastError }),
      ...(policy === undefined ? {} : { onStoreUnavailable: policy }),
      ...(localProbes === undefined ? {} : { localProbes }),
      ...(refusedProbes === undefined ? {} : { refusedProbes }),
    },
  };
}

export function allMetricsOf(entries: Iterable<OperationEntry>): AllMetrics {
  // Null-prototype records: an operation named "__proto__" stays plain data.
  const operations = Object.create(null) as Record<string, OperationMetricsJSON>;
  const breakers = Object.create(null) as Record<string, CircuitSnapshot>;
  let operationCount = 0;
  let breakerCount = 0;
  let open = 0;
  let totalCalls = 0;
  let successfulCalls = 0;
  let failedCalls = 0;
  let fallbackCalls = 0;
  let rejectedCalls = 0;
  let retryAttempts = 0;
  for (const entry of entries) {
    const { metrics } = entry;
    operations[entry.name] = metrics.toJSON();
    operationCount++;
    totalCalls += metrics.totalCalls;
    successfulCalls += metrics.successfulCalls;
    failedCalls += metrics.failedCalls;
    fallbackCalls += metrics.fallbackCalls;
    rejectedCalls += metrics.rejectedCalls;
    retryAttempts += metrics.retryAttempts;
    const breaker = entry.layers.breaker;
    if (breaker === undefined) continue;
    const snapshot = breaker.toJSON();
    if (snapshot.state === 'open' || snapshot.state === 'isolated') open++;
    breakers[entry.name] = snapshot;
    breakerCount++;
  }
  const finished = successfulCalls + failedCalls;
  return {
    operations,
    circuitBreakers: breakers,
    summary: {
      totalOperations: operationCount,
      totalCircuitBreakers: breakerCount,
      openCircuitBreakers: open,
      totalCalls,
      successfulCalls,
      failedCalls,
      fallbackCalls,
      rejectedCalls,
      retryAttempts,
      successRate: finished === 0 ? 1 : successfulCalls / finished,
    },
  };
}
