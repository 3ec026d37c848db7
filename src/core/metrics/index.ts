export { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
export { OperationMetrics, type OperationMetricsJSON } from './operation-metrics.js';
