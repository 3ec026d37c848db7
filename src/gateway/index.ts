export { createGateway } from './gateway.js';
export type { Gateway, GatewayOptions, ListeningAddress } from './gateway.js';
export type {
  GatewayConfig,
  RouteConfig,
  RouteKind,
  TargetConfig,
  UpstreamConfig,
  ValidGatewayConfig,
} from './config/schema.js';
export { gatewaySchema } from './config/schema.js';
export {
  assertGatewayConfig,
  isGatewayDocument,
  parseGatewayText,
  validateGatewayConfig,
} from './config/validate.js';
export type { Env, GatewayValidation } from './config/validate.js';
export { loadGatewayFile } from './config/load.js';
export { redactGatewayConfig } from './config/redact.js';
export type {
  GatewayEvents,
  MalformedEventEvent,
  RequestEvent,
  UpstreamResultEvent,
} from './events.js';
export { jsonLinesLogger, silentLogger } from './logger.js';
export type { GatewayLogger } from './logger.js';
export {
  ClientGoneError,
  StreamBrokenError,
  UpstreamStatusError,
  UpstreamTimeoutError,
  isClientGoneError,
  isStreamBrokenError,
  isUpstreamStatusError,
  isUpstreamTimeoutError,
} from './upstream/errors.js';
