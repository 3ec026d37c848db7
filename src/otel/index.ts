export { openTelemetryMetrics } from './exporter.js';
export type { OpenTelemetryMetrics } from './exporter.js';
export type { OpenTelemetryMetricsOptions } from './options.js';
