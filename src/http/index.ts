export { httpHandler, type HttpHandler } from './handler.js';
export type { HttpHandlerOptions, MetricsSource } from './options.js';
export type { CircuitView } from './circuits.js';
export type { HealthCheck, HealthDocument, HealthStatus } from './health.js';
export type { OperationSummary } from './summary.js';
export type { TransitionEvent } from './events.js';
export type { CommandResult } from './admin.js';
export type { Next } from './router.js';
