import * as z from 'zod';
import { presetNames } from '../../core/presets/index.js';

/**
 * The configuration as data (a JSON or YAML file, env vars, a runtime patch): SPEC §5's
 * `{ preset?, defaults?, operations }`, with option names as in SPEC §2. Objects are strict
 * so that a misspelt key is reported (with a suggestion) instead of silently ignored.
 */

export const strategyNames = ['aggressive', 'balanced', 'conservative', 'critical'] as const;

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
    initialMs: nonNegative.optional(),
    multiplier: z.number().min(1).optional(),
    maxMs: nonNegative.optional(),
    jitter: jitter.optional(),
  }),
  z.strictObject({ kind: z.literal('constant'), ms: nonNegative }),
  z.strictObject({
    kind: z.literal('linear'),
    initialMs: nonNegative.optional(),
    stepMs: nonNegative.optional(),
    maxMs: nonNegative.optional(),
  }),
]);

const retry = z.strictObject({
  maxAttempts: positiveInt.optional(),
  backoff: backoff.optional(),
  maxElapsedMs: positive.optional(),
  respectRetryAfter: z.boolean().optional(),
  budget: z
    .strictObject({
      ratio: z.number().min(0).max(1).optional(),
      minPerSecond: nonNegative.optional(),
      windowMs: positive.optional(),
    })
    .optional(),
});

const window = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('count'), size: positiveInt }),
  z.strictObject({ kind: z.literal('time'), ms: positive }),
]);

const trip = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('consecutive'), threshold: positiveInt }),
  z.strictObject({
    kind: z.literal('failureRate'),
    threshold: z.number().gt(0).max(1).optional(),
    minimumCalls: positiveInt.optional(),
    window: window.optional(),
    slowCall: z.strictObject({ ms: positive, rateThreshold: z.number().gt(0).max(1) }).optional(),
  }),
]);

const circuitBreaker = z.strictObject({
  trip: trip.optional(),
  openMs: positive.optional(),
  halfOpen: z
    .strictObject({ maxCalls: positiveInt.optional(), successesToClose: positiveInt.optional() })
    .optional(),
});

const timeout = z.union([
  positive,
  z.strictObject({ ms: positive, mode: z.enum(['cooperative', 'aggressive']).optional() }),
]);

const bulkhead = z.strictObject({
  maxConcurrent: positiveInt,
  maxQueue: z.number().int().min(0).optional(),
});

const rateLimit = z.strictObject({
  rate: positive,
  intervalMs: positive.optional(),
  burst: positiveInt.optional(),
});

/** A fallback is a function at runtime; a file can only give a fixed answer. */
const fallback = z.union([
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
    message: 'expected a function',
  }),
  z.strictObject({ value: z.unknown() }),
]);

/** `false` turns a layer off for the operation (and then no breaker exists for it). */
const orOff = <S extends z.ZodType>(schema: S) => z.union([z.literal(false), schema]);

export const operationSchema = z.strictObject({
  strategy: z.enum(strategyNames).optional(),
  retry: orOff(retry).optional(),
  circuitBreaker: orOff(circuitBreaker).optional(),
  timeout: orOff(timeout).optional(),
  bulkhead: orOff(bulkhead).optional(),
  rateLimit: orOff(rateLimit).optional(),
  fallback: orOff(fallback).optional(),
});

export const configSchema = z.strictObject({
  preset: z.enum(presetNames).optional(),
  defaults: operationSchema.optional(),
  operations: z.record(z.string().min(1), operationSchema).optional(),
});

export type StrategyName = (typeof strategyNames)[number];
export type OperationConfigData = z.infer<typeof operationSchema>;
export type ConfigData = z.infer<typeof configSchema>;
