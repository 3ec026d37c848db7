export { prometheusMetrics } from './exporter.js';
export type { PrometheusMetrics } from './exporter.js';
export type { PrometheusMetricsOptions } from './options.js';
