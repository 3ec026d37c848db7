import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CircuitStore } from '../core/breaker/store.js';
import { EventHub, type Listener, type Unsubscribe } from '../core/events.js';
import { Resilience } from '../core/orchestrator/resilience.js';
import { mergePatchBetween } from '../node/config/merge-patch.js';
import type { GatewayConfig, ValidGatewayConfig } from './config/schema.js';
import { assertGatewayConfig, type Env } from './config/validate.js';
import type { GatewayEvents } from './events.js';
import { errorField, silentLogger, type GatewayLogger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import {
  DEFAULT_BODY_BYTES,
  DEFAULT_DRAIN_MS,
  DEFAULT_IDLE_MS,
  DEFAULT_RESPONSE_BYTES,
} from './proxy/defaults.js';
import { forward, type ForwardEnv } from './proxy/forward.js';
import { jsonObject, readRequestBody } from './proxy/read-body.js';
import { findRoute } from './proxy/routing.js';
import { ResponseSink } from './proxy/sink.js';
import { redisAnswers } from './redis-answers.js';
import { closeRetired, serveRoutes, type AnswerStores, type ServedRoute } from './routes.js';
import { UpstreamPools, operationsFor } from './upstreams.js';
import type { UpstreamTarget } from './proxy/attempt.js';

export interface GatewayOptions {
  /** Where `${VAR}` references are read; default `process.env`. */
  readonly env?: Env;
  /** Request, upstream and config records; default silent. */
  readonly logger?: GatewayLogger;
  /** A breaker store of yours; default the config's `store` (file or Redis) or memory. */
  readonly store?: CircuitStore;
  /**
   * More series for the admin `/metrics`, after the gateway's own: given the upstreams'
   * orchestrator, e.g. `(r) => prometheusMetrics(r)` from `breakwater/prometheus`.
   */
  readonly metrics?: (resilience: Resilience) => {
    readonly registry: { metrics(): Promise<string> };
    close?(): void;
  };
}

export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

export interface GatewayAddresses extends ListeningAddress {
  /** The admin port (SPEC §8.2 for the upstream breakers, and `/metrics`), when configured. */
  readonly admin: ListeningAddress | undefined;
}

export interface Gateway {
  /** Opens the store, the client port and the admin port; resolves with their addresses. */
  listen(): Promise<GatewayAddresses>;
  /**
   * Applies a new configuration: validated first (a `ConfigError` with every problem, and the
   * old configuration stays), then routes and upstreams are swapped with breaker state kept.
   * The listen address and the store are fixed at `listen()`.
   */
  reload(config: GatewayConfig): void;
  /** Stops accepting, lets in-flight requests finish within `graceMs`, then closes everything. */
  close(options?: { readonly graceMs?: number }): Promise<void>;
  /** The orchestrator holding one operation (breaker, bulkhead, rate limit) per upstream. */
  readonly resilience: Resilience;
  /** The configuration in force. */
  config(): ValidGatewayConfig;
  /** Requests being served now. */
  inFlight(): number;
  on<K extends keyof GatewayEvents>(name: K, listener: Listener<GatewayEvents[K]>): Unsubscribe;
}

function jsonError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ error: { type, message } });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-breakwater-upstream': 'none',
    'x-breakwater-attempts': '0',
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/** A breaker store, and what to do once the breakers are attached to it. */
interface OpenedStore {
  readonly store: CircuitStore | undefined;
  /** Resolves once the shared state is read (so a restarted replica starts where the fleet is). */
  readonly synced: () => Promise<void>;
}

/** How long `listen()` waits for Redis before serving on local state. */
const REDIS_READY_MS = 3_000;

async function storeFor(
  config: ValidGatewayConfig,
  given: CircuitStore | undefined,
  log: GatewayLogger,
): Promise<OpenedStore> {
  const none = (): Promise<void> => Promise.resolve();
  if (given !== undefined) return { store: given, synced: none };
  const setting = config.store;
  if (setting === undefined) return { store: undefined, synced: none };
  if ('file' in setting) {
    // Loaded only when asked for: a gateway's resident memory is mostly the code it loads
    // (the 1,000-streams row of BENCHMARKS.md, "The gateway").
    const { fileStore } = await import('../node/file-store.js');
    const store = fileStore(setting.file, {
      onWarning: (message) => log.warn({ event: 'store_warning' }, message),
    });
    return { store, synced: none };
  }
  // Loaded only when asked for, so ioredis stays an optional peer dependency.
  const { redisStore } = await import('../redis/index.js');
  const store = redisStore({
    url: setting.redis.url,
    prefix: setting.redis.prefix ?? 'breakwater:gateway:',
  });
  const synced = async (): Promise<void> => {
    if (store.status().connection !== 'ready') {
      let stop = (): void => undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        stop = store.onStatusChange((status) => {
          if (status.connection === 'ready') resolve();
        });
        timer = setTimeout(resolve, REDIS_READY_MS);
      });
      stop();
      clearTimeout(timer);
    }
    if (store.status().connection !== 'ready') {
      log.warn(
        { event: 'store_unreachable' },
        'Redis is unreachable: serving on local breaker state',
      );
    }
    await store.sync();
  };
  return { store, synced };
}

async function listenOn(server: Server, host: string, port: number): Promise<ListeningAddress> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { host, port: bound, url: `http://${shown}:${bound}` };
}

const closeServer = (server: Server): Promise<void> =>
  new Promise<void>((resolve) => server.close(() => resolve()));

/** The gateway of SPEC §10 as a library: `createGateway(config)` → `{ listen, reload, close }`. */
export function createGateway(input: unknown, options: GatewayOptions = {}): Gateway {
  const env = options.env ?? process.env;
  const log = options.logger ?? silentLogger;
  let config = assertGatewayConfig(input, env);
  const hub = new EventHub<GatewayEvents>();
  const pools = new UpstreamPools();
  let upstreams: Map<string, UpstreamTarget> = pools.targets(config);
  let routes: ServedRoute[] = serveRoutes(config, []);
  /** Where stale answers live once listening: Redis with `store: { redis }`, else memory. */
  let answerStores: AnswerStores | undefined;
  let resilience: Resilience | undefined;
  let store: CircuitStore | undefined;
  let server: Server | undefined;
  let adminServer: Server | undefined;
  const metrics = new GatewayMetrics(hub);
  let active = 0;
  const idle: (() => void)[] = [];

  const live = (): Resilience => {
    if (resilience === undefined)
      throw new Error('the gateway is not listening yet: call listen()');
    return resilience;
  };
  const registerUpstreams = (r: Resilience): void => {
    // Registered up front, so every upstream's breaker shows in health before its first call.
    for (const name of Object.keys(config.upstreams)) r.wrap(name, () => undefined);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = Date.now();
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const method = (req.method ?? 'GET').toUpperCase();
    const pathAndQuery = req.url ?? '/';
    const path = pathAndQuery.split('?', 1)[0] ?? '/';
    const read = await readRequestBody(req, config.limits?.bodyBytes ?? DEFAULT_BODY_BYTES);
    if (!read.ok) {
      if (read.reason === 'too-large') {
        jsonError(
          res,
          413,
          'request_too_large',
          'the request body is larger than the gateway accepts',
        );
      }
      return;
    }
    const json = jsonObject(read.body);
    const model = typeof json?.['model'] === 'string' ? json['model'] : undefined;
    const served = findRoute(routes, { method, path, model });
    if (served === undefined) {
      jsonError(res, 404, 'no_route', `no route matches ${method} ${path}`);
      log.info({ event: 'request', method, path, status: 404 }, 'no route');
      return;
    }
    // An LLM API request is a JSON object: anything else is the client's mistake, said at
    // once rather than passed on for an upstream to reject (or misread).
    if (served.kind !== 'http' && read.body !== undefined && json === undefined) {
      jsonError(res, 400, 'invalid_request_error', 'the request body is not a JSON object');
      log.info({ event: 'request', method, path, status: 400 }, 'body is not a JSON object');
      return;
    }
    const forwardEnv: ForwardEnv = {
      resilience: live(),
      upstreams,
      responseBytes: config.limits?.responseBytes ?? DEFAULT_RESPONSE_BYTES,
      hub,
      log,
      now: Date.now,
    };
    const summary = await forward(
      forwardEnv,
      served,
      {
        method,
        pathAndQuery,
        headers: req.headers,
        body: read.body,
        json: served.kind === 'http' ? undefined : json,
        streaming: served.kind !== 'http' && json?.['stream'] === true,
        signal: controller.signal,
        startedAt,
      },
      new ResponseSink(res, served.config.stream?.idleMs ?? DEFAULT_IDLE_MS),
    );
    const durationMs = Date.now() - startedAt;
    const firstByteMs = (summary.firstByteAt ?? Date.now()) - startedAt;
    const event = {
      route: served.config.name,
      method,
      path,
      status: summary.status,
      upstream: summary.upstream,
      attempts: summary.attempts,
      fallback: summary.fallback,
      durationMs,
      addedMs: Math.max(0, firstByteMs - summary.upstreamMs),
    };
    hub.emit('request', event);
    log.info({ event: 'request', ...event }, 'request served');
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    active++;
    handle(req, res)
      .catch((error: unknown) => {
        log.error({ event: 'request_error', error: errorField(error) }, 'request failed');
        if (!res.headersSent) jsonError(res, 500, 'gateway_error', 'the gateway failed');
        else res.destroy();
      })
      .finally(() => {
        active--;
        if (active === 0) for (const resolve of idle.splice(0)) resolve();
      });
  };

  /** With `store: { redis }`, every process serves the fleet's stale answers: loaded before serving. */
  const shareStaleAnswers = async (): Promise<void> => {
    const setting = config.store;
    if (setting === undefined || !('redis' in setting)) return;
    answerStores = await redisAnswers(
      setting.redis.url,
      setting.redis.prefix ?? 'breakwater:gateway:',
    );
    const before = routes;
    routes = serveRoutes(config, before, answerStores);
    await closeRetired(before, routes);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(
        routes.flatMap((route) => (route.cache === undefined ? [] : [route.cache.loaded])),
      ),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, REDIS_READY_MS);
      }),
    ]);
    clearTimeout(timer);
  };

  const gateway: Gateway = {
    async listen() {
      if (server !== undefined) throw new Error('the gateway is already listening');
      const opened = await storeFor(config, options.store, log);
      store = opened.store;
      const r = new Resilience({
        ...(store === undefined ? {} : { store }),
        // The upstreams' transitions, retries, give-ups, fallbacks and rejections (SPEC §8.1).
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        config: { operations: operationsFor(config) },
      });
      registerUpstreams(r);
      resilience = r;
      await opened.synced();
      await shareStaleAnswers();
      const s = createServer({ keepAliveTimeout: 5_000 }, onRequest);
      server = s;
      const address = await listenOn(s, config.listen.host ?? '127.0.0.1', config.listen.port);
      log.info({ event: 'listening', host: address.host, port: address.port }, 'gateway listening');
      let admin: ListeningAddress | undefined;
      if (config.admin !== undefined) {
        const extra = options.metrics?.(r);
        if (extra !== undefined) metrics.append(extra);
        // The admin port's code (§8.2, the dashboard's assets) only when there is one.
        const [{ httpHandler }, { redactGatewayConfig }] = await Promise.all([
          import('../http/handler.js'),
          import('./config/redact.js'),
        ]);
        const handler = httpHandler(r, {
          ...(config.admin.token === undefined ? {} : { token: config.admin.token }),
          metrics: { registry: metrics },
          ready: () => server !== undefined,
          // The gateway's own file (secrets redacted) and the upstream operations it made.
          config: () => ({ gateway: redactGatewayConfig(config), resilience: r.config() }),
        });
        adminServer = createServer((req, res) => handler(req, res));
        admin = await listenOn(adminServer, config.admin.host ?? '127.0.0.1', config.admin.port);
        log.info(
          { event: 'admin_listening', host: admin.host, port: admin.port },
          'admin listening',
        );
      }
      return { ...address, admin };
    },

    reload(next) {
      const validated = assertGatewayConfig(next, env);
      if (resilience !== undefined) {
        const patch = mergePatchBetween(
          { operations: operationsFor(config) },
          { operations: operationsFor(validated) },
        );
        resilience.updateConfig(patch, { source: 'gateway-reload' });
        for (const name of Object.keys(config.upstreams)) {
          if (!(name in validated.upstreams)) resilience.removeOperation(name);
        }
      }
      config = validated;
      upstreams = pools.targets(config);
      const before = routes;
      routes = serveRoutes(config, before, answerStores);
      void closeRetired(before, routes);
      if (resilience !== undefined) registerUpstreams(resilience);
      log.info(
        { event: 'config_reloaded', routes: config.routes.length },
        'configuration reloaded',
      );
    },

    async close(closeOptions = {}) {
      const s = server;
      server = undefined;
      const a = adminServer;
      adminServer = undefined;
      if (a !== undefined) {
        a.closeAllConnections();
        await closeServer(a);
      }
      metrics.close();
      if (s !== undefined) {
        const closed = closeServer(s);
        s.closeIdleConnections();
        const graceMs = closeOptions.graceMs ?? config.limits?.drainMs ?? DEFAULT_DRAIN_MS;
        if (active > 0) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            new Promise<void>((resolve) => idle.push(resolve)),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, graceMs);
            }),
          ]);
          clearTimeout(timer);
        }
        s.closeAllConnections();
        await closed;
      }
      await pools.close();
      await closeRetired(routes, []);
      // Breakers leave the store (their last state stays in it) before it closes.
      for (const name of resilience?.operations() ?? []) resilience?.removeOperation(name);
      await store?.close();
    },

    get resilience() {
      return live();
    },
    config: () => config,
    inFlight: () => active,
    on: (name, listener) => hub.on(name, listener),
  };
  return gateway;
}
