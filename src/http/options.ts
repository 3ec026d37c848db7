import { booleanOption, checkInteger, fail, optionalFunction } from '../core/option-checks.js';

/** What `prometheusMetrics()` returns, as far as the handler needs it (no prom-client import). */
export interface MetricsSource {
  readonly registry: { metrics(): Promise<string>; readonly contentType: string };
}

export interface HttpHandlerOptions {
  /** Bearer token for the admin routes; without one (or `undefined`, so `process.env.ADMIN_TOKEN` fits), admin is refused (403 "admin disabled"). */
  readonly token?: string | undefined;
  /** Serves `GET /metrics` (what `prometheusMetrics()` returned). */
  readonly metrics?: MetricsSource;
  /** `GET /readyz` answers 503 while this returns false (or throws). */
  readonly ready?: () => boolean;
  /** An open circuit makes `GET /health` fail with 503 and `Retry-After` (default false: warn, 200). */
  readonly failOnOpen?: boolean;
  /** Serves the dashboard at `GET /` (default true). */
  readonly dashboard?: boolean;
  /**
   * What `GET /config` shows (default `resilience.config()`), e.g. a gateway's own file;
   * redacted like the default (secret-looking keys, URL credentials) on top of your own.
   */
  readonly config?: () => unknown;
  /** A path prefix the routes live under, e.g. `'/ops'` (default: none). */
  readonly basePath?: string;
  /** The largest request body accepted, bytes (default 4 096); larger ones get 413. */
  readonly maxBodyBytes?: number;
  /** Event-stream clients at once (default 100); more get 503. */
  readonly maxEventClients?: number;
  /** Unread bytes after which an event-stream client is dropped (default 256 KiB). */
  readonly maxBufferedBytes?: number;
}

export interface ResolvedOptions {
  readonly token: string | undefined;
  readonly metrics: MetricsSource | undefined;
  readonly ready: (() => boolean) | undefined;
  readonly failOnOpen: boolean;
  readonly dashboard: boolean;
  readonly config: (() => unknown) | undefined;
  readonly basePath: string;
  readonly maxBodyBytes: number;
  readonly maxEventClients: number;
  readonly maxBufferedBytes: number;
}

const WHERE = 'httpHandler';

export function resolveOptions(options: HttpHandlerOptions): ResolvedOptions {
  const { token, metrics, basePath = '' } = options;
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) {
    fail(WHERE, 'token', 'a string of at least 16 characters', token);
  }
  if (metrics !== undefined && typeof metrics?.registry?.metrics !== 'function') {
    fail(WHERE, 'metrics', 'what prometheusMetrics() returned ({ registry })', metrics);
  }
  if (typeof basePath !== 'string' || (basePath !== '' && !/^\/[^?#]*[^/?#]$/.test(basePath))) {
    fail(WHERE, 'basePath', "'' or a path such as '/ops' (no trailing slash)", basePath);
  }
  return {
    token,
    metrics,
    ready: optionalFunction(WHERE, 'ready', options.ready),
    failOnOpen: booleanOption(WHERE, 'failOnOpen', options.failOnOpen, false),
    dashboard: booleanOption(WHERE, 'dashboard', options.dashboard, true),
    config: optionalFunction(WHERE, 'config', options.config),
    basePath,
    maxBodyBytes: checkInteger(WHERE, 'maxBodyBytes', options.maxBodyBytes ?? 4_096, 1),
    maxEventClients: checkInteger(WHERE, 'maxEventClients', options.maxEventClients ?? 100, 1),
    maxBufferedBytes: checkInteger(
      WHERE,
      'maxBufferedBytes',
      options.maxBufferedBytes ?? 256 * 1024,
      1_024,
    ),
  };
}
