import * as z from 'zod';
import { operationSchema } from '../../node/config/schema.js';

/**
 * The gateway's configuration file (SPEC §10) as a schema. Objects are strict so a misspelt
 * key is reported with a suggestion; the breaker, bulkhead, rate limit and retry settings
 * reuse the orchestrator's own schemas (SPEC §2 names).
 */

const port = z.number().int().min(0).max(65_535);
const host = z.string().min(1);
const positiveInt = z.number().int().min(1);
const positive = z.number().gt(0);

const listen = z.strictObject({ host: host.exactOptional(), port });

const admin = z.strictObject({
  host: host.exactOptional(),
  port,
  /** Bearer token for the admin actions (at least 16 characters); without one they are refused. */
  token: z.string().min(16).exactOptional(),
});

const store = z.union([
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({
    redis: z.strictObject({ url: z.string().min(1), prefix: z.string().min(1).exactOptional() }),
  }),
]);

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: 'an http:// or https:// URL',
  });

const upstream = z.strictObject({
  url: httpUrl,
  headers: z.record(z.string().min(1), z.string()).exactOptional(),
  circuitBreaker: operationSchema.shape.circuitBreaker,
  bulkhead: operationSchema.shape.bulkhead,
  rateLimit: operationSchema.shape.rateLimit,
  /** Connections kept to the upstream (keep-alive pool); default 128. */
  connections: positiveInt.exactOptional(),
});

const target = z.strictObject({
  upstream: z.string().min(1),
  model: z.string().min(1).exactOptional(),
  /** `false`: never asked to continue a broken stream (`stream.resume: prefill`). */
  prefill: z.boolean().exactOptional(),
});

const backoff = z.strictObject({
  initialMs: z.number().min(0).exactOptional(),
  multiplier: z.number().min(1).exactOptional(),
  maxMs: z.number().min(0).exactOptional(),
});

/**
 * SPEC §2's retry budget, per route: over the last `windowMs`, retries on the same target are
 * at most `ratio` × the route's requests + `minRetriesPerSecond` × the window's seconds; beyond
 * it a failed try moves to the next target instead of trying the failing one again.
 */
const retryBudget = z.strictObject({
  ratio: z.number().min(0).max(1).exactOptional(),
  minRetriesPerSecond: z.number().min(0).exactOptional(),
  windowMs: positive.exactOptional(),
});

const retry = z.strictObject({
  maxAttempts: positiveInt.max(10).exactOptional(),
  backoff: backoff.exactOptional(),
  budget: retryBudget.exactOptional(),
});

const method = z
  .string()
  .regex(/^[A-Za-z]+$/, 'an HTTP method such as GET or POST')
  .transform((value) => value.toUpperCase());

const route = z.strictObject({
  name: z.string().min(1),
  match: z.strictObject({
    method: method.exactOptional(),
    path: z.string().startsWith('/').exactOptional(),
    model: z.string().min(1).exactOptional(),
  }),
  kind: z.enum(['openai', 'anthropic', 'http']).exactOptional(),
  targets: z.array(target).min(1),
  retry: retry.exactOptional(),
  timeout: z
    .strictObject({ perTryMs: positive.exactOptional(), totalMs: positive.exactOptional() })
    .exactOptional(),
  stream: z
    .strictObject({
      firstChunkMs: positive.exactOptional(),
      idleMs: positive.exactOptional(),
      resume: z.enum(['prefill', 'none']).exactOptional(),
    })
    .exactOptional(),
  staleCache: z
    .union([
      z.literal(false),
      z.strictObject({ ttlMs: positive, maxEntries: positiveInt.exactOptional() }),
    ])
    .exactOptional(),
});

const limits = z.strictObject({
  /** Largest request body accepted; above it the client gets 413. Default 10 MiB. */
  bodyBytes: positiveInt.exactOptional(),
  /** Largest upstream error or JSON body read into memory. Default 10 MiB. */
  responseBytes: positiveInt.exactOptional(),
  /** How long SIGTERM waits for in-flight requests. Default 30 s. */
  drainMs: positive.exactOptional(),
});

export const gatewaySchema = z.strictObject({
  listen,
  admin: admin.exactOptional(),
  store: store.exactOptional(),
  limits: limits.exactOptional(),
  upstreams: z.record(z.string().min(1), upstream),
  routes: z.array(route).min(1),
});

/** A gateway configuration as the schema accepts it (`${VAR}` already substituted). */
export type GatewayConfig = z.input<typeof gatewaySchema>;
/** A validated configuration: methods upper-cased. */
export type ValidGatewayConfig = z.output<typeof gatewaySchema>;
export type RouteConfig = ValidGatewayConfig['routes'][number];
export type TargetConfig = RouteConfig['targets'][number];
export type UpstreamConfig = ValidGatewayConfig['upstreams'][string];
export type RouteKind = NonNullable<RouteConfig['kind']>;
