import * as z from 'zod';
import type {
  OperationConfig,
  ResilienceConfig,
  StrategyName,
} from '../../core/orchestrator/config.js';
import { strategyNames } from '../../core/orchestrator/strategies.js';
import { presetNames } from '../../core/presets/index.js';

/**
 * The orchestrator's configuration (`ResilienceConfig`, plain data) as a schema, for
 * files, env vars and runtime patches. Objects are strict so that a misspelt key is
 * reported (with a suggestion) instead of silently ignored. Upper bounds that are about
 * safety rather than shape (attempts, queues) are the security rules' business.
 */

const positiveInt = z.number().int().min(1);
const nonNegative = z.number().min(0);
const positive = z.number().gt(0);

const jitter = z.union([
  z.enum(['none', 'full', 'equal', 'decorrelated']),
  z.number().min(0).max(1),
]);

const backoff = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('exponential'),
    initialMs: nonNegative.exactOptional(),
    multiplier: z.number().min(1).exactOptional(),
    maxMs: nonNegative.exactOptional(),
    jitter: jitter.exactOptional(),
  }),
  z.strictObject({
    kind: z.literal('constant'),
    delayMs: nonNegative,
    jitter: jitter.exactOptional(),
  }),
  z.strictObject({
    kind: z.literal('linear'),
    initialMs: nonNegative.exactOptional(),
    stepMs: nonNegative.exactOptional(),
    maxMs: nonNegative.exactOptional(),
    jitter: jitter.exactOptional(),
  }),
]);

const retry = z.strictObject({
  maxAttempts: positiveInt.exactOptional(),
  backoff: backoff.exactOptional(),
  maxElapsedMs: positive.exactOptional(),
  respectRetryAfter: z.boolean().exactOptional(),
});

const window = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('count'), size: positiveInt }),
  z.strictObject({ kind: z.literal('time'), ms: positive }),
]);

const trip = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('consecutive'), threshold: positiveInt }),
  z.strictObject({
    kind: z.literal('failure-rate'),
    threshold: z.number().gt(0).max(1).exactOptional(),
    minimumCalls: positiveInt.exactOptional(),
    window: window.exactOptional(),
    slowCall: z
      .strictObject({ ms: positive, rateThreshold: z.number().gt(0).max(1) })
      .exactOptional(),
  }),
]);

const circuitBreaker = z.strictObject({
  trip: trip.exactOptional(),
  openMs: positive.exactOptional(),
  halfOpen: z
    .strictObject({
      maxCalls: positiveInt.exactOptional(),
      successesToClose: positiveInt.exactOptional(),
    })
    .exactOptional(),
});

const timeoutMode = z.enum(['cooperative', 'aggressive']).exactOptional();

const adaptiveTimeout = z.strictObject({
  percentile: z.number().gt(0).max(100).exactOptional(),
  multiplier: z.number().min(1).exactOptional(),
  minMs: positive,
  maxMs: positive,
  window: positiveInt.exactOptional(),
  minSamples: positiveInt.exactOptional(),
});

const timeout = z.union([
  positive,
  z.strictObject({ ms: positive, mode: timeoutMode }),
  z.strictObject({ adaptive: adaptiveTimeout, mode: timeoutMode }),
]);

const bulkhead = z.strictObject({
  maxConcurrent: positiveInt,
  maxQueue: z.number().int().min(0).exactOptional(),
});

const rateLimit = z.strictObject({
  rate: positive,
  intervalMs: positive.exactOptional(),
  burst: positiveInt.exactOptional(),
});

/** When the fallback given in code answers; the fallback itself is code, not data. */
const fallback = z.strictObject({
  whenOpen: z.boolean().exactOptional(),
  whenExhausted: z.boolean().exactOptional(),
  whenRejected: z.boolean().exactOptional(),
  whenPermanent: z.boolean().exactOptional(),
});

/** Streaming calls' deadlines (SPEC §9); `isComplete` is code, given to `wrapStream`. */
const stream = z.strictObject({
  firstChunkMs: positive.max(2_147_483_647).exactOptional(),
  idleMs: positive.max(2_147_483_647).exactOptional(),
});

/** `false` turns a layer off for the operation (and then no breaker exists for it). */
const orOff = <S extends z.ZodType>(schema: S) => z.union([z.literal(false), schema]);

export const operationSchema = z.strictObject({
  strategy: z.enum(strategyNames as readonly [StrategyName, ...StrategyName[]]).exactOptional(),
  retry: orOff(retry).exactOptional(),
  circuitBreaker: orOff(circuitBreaker).exactOptional(),
  timeout: orOff(timeout).exactOptional(),
  bulkhead: orOff(bulkhead).exactOptional(),
  rateLimit: orOff(rateLimit).exactOptional(),
  fallback: orOff(fallback).exactOptional(),
  stream: orOff(stream).exactOptional(),
});

export const configSchema = z.strictObject({
  preset: z.enum(presetNames).exactOptional(),
  defaults: operationSchema.exactOptional(),
  operations: z.record(z.string().min(1), operationSchema).exactOptional(),
});

/** What the schema accepts, typed as the orchestrator's configuration. */
export type OperationConfigData = OperationConfig;
export type ConfigData = Omit<ResilienceConfig, 'operations'> & {
  readonly operations?: ResilienceConfig['operations'];
};

// The schema and the orchestrator's types must describe the same thing.
type Parsed = z.infer<typeof configSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agrees: Same<Parsed['defaults'], OperationConfig | undefined> = true;
void agrees;
