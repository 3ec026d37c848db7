import type { IncomingHttpHeaders } from 'node:http';
import { sleep } from '../../core/abort.js';
import { abortSource } from '../../core/call-context.js';
import type { Backoff } from '../../core/backoff/index.js';
import { isTransient } from '../../core/classification/index.js';
import {
  isBulkheadRejectedError,
  isCircuitOpenError,
  isRateLimiterRejectedError,
} from '../../core/errors/index.js';
import type { EventHub } from '../../core/events.js';
import type { Resilience } from '../../core/orchestrator/resilience.js';
import type { RetryBudget } from '../../core/retry/budget.js';
import type { RouteConfig, RouteKind } from '../config/schema.js';
import type { GatewayEvents } from '../events.js';
import { errorField, type GatewayLogger } from '../logger.js';
import { dialects } from '../sse/dialect.js';
import {
  isClientGoneError,
  isUpstreamStatusError,
  isUpstreamTimeoutError,
  type UpstreamStatusError,
} from '../upstream/errors.js';
import { clientResponseHeaders } from '../upstream/headers.js';
import { attempt, type AttemptPlan, type UpstreamTarget } from './attempt.js';
import {
  DEFAULT_IDLE_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_PER_TRY_MS,
  DEFAULT_TOTAL_MS,
} from './defaults.js';
import { bodyForTarget } from './request-body.js';
import { retryWaitMs } from './retry-wait.js';
import type { ResponseSink } from './sink.js';
import { StaleAnswers } from './stale-answers.js';
import type { StreamHooks, StreamProgress } from './stream.js';

/** A client's request as the gateway forwards it. */
export interface ForwardRequest {
  readonly method: string;
  readonly pathAndQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer | undefined;
  /** The parsed JSON body of the openai/anthropic kinds. */
  readonly json: Readonly<Record<string, unknown>> | undefined;
  /** The client asked for a stream (`"stream": true`). */
  readonly streaming: boolean;
  readonly signal: AbortSignal;
  readonly startedAt: number;
}

/** One route, ready to serve. */
export interface LiveRoute {
  readonly config: RouteConfig;
  readonly kind: RouteKind;
  readonly backoff: Backoff;
  readonly cache: StaleAnswers | undefined;
  /** Bounds retries on the same target to a share of the route's requests (`retry.budget`). */
  readonly budget: RetryBudget | undefined;
}

/** What forwarding shares with the gateway. */
export interface ForwardEnv {
  readonly resilience: Resilience;
  readonly upstreams: ReadonlyMap<string, UpstreamTarget>;
  readonly responseBytes: number;
  readonly hub: EventHub<GatewayEvents>;
  readonly log: GatewayLogger;
  readonly now: () => number;
}

/** How a request ended, for its log record and its metrics. */
export interface ForwardSummary {
  readonly status: number;
  readonly upstream: string | undefined;
  readonly attempts: number;
  readonly fallback: string | undefined;
  /** When the client got its first byte; undefined when it went away first. */
  readonly firstByteAt: number | undefined;
  /** Time spent in upstream tries and in waits between them. */
  readonly upstreamMs: number;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** The state of one request as it moves through its targets. */
class Journey {
  attempts = 0;
  upstreamMs = 0;
  status = 0;
  upstream: string | undefined;
  fallback: string | undefined;
  firstByteAt: number | undefined;
  /** The first break after the client saw content: its in-band error is the one sent. */
  broken: unknown;
  lastStatusError: UpstreamStatusError | undefined;
  lastError: unknown;
  soonestProbeMs: number | undefined;
  readonly progress: StreamProgress = {
    chunks: 0,
    text: '',
    keepsText: false,
    toolCall: false,
    framing: undefined,
  };

  summary(): ForwardSummary {
    return {
      status: this.status,
      upstream: this.upstream,
      attempts: this.attempts,
      fallback: this.fallback,
      firstByteAt: this.firstByteAt,
      upstreamMs: this.upstreamMs,
    };
  }
}

const statusLabel = (error: unknown): string =>
  isUpstreamStatusError(error)
    ? String(error.status)
    : isUpstreamTimeoutError(error)
      ? 'timeout'
      : 'error';

/**
 * Forwards one request along its route's targets (SPEC §10) and answers the client: the
 * first good answer, an upstream's 4xx as it came, the stale answer, the last upstream's own
 * error, or the gateway's 503 — and, for a stream broken after its first chunk, its
 * continuation on the next target (`resume: prefill`) or an in-band error.
 */
export async function forward(
  env: ForwardEnv,
  route: LiveRoute,
  request: ForwardRequest,
  sink: ResponseSink,
): Promise<ForwardSummary> {
  const { config, kind } = route;
  const journey = new Journey();
  const perTryMs = config.timeout?.perTryMs ?? DEFAULT_PER_TRY_MS;
  const deadline = request.startedAt + (config.timeout?.totalMs ?? DEFAULT_TOTAL_MS);
  // A route's own totalMs bounds a stream after its first byte too; the default bounds only
  // the tries before it, so a long answer is not cut at a limit nobody chose.
  const answerDeadline =
    config.timeout?.totalMs === undefined ? Number.POSITIVE_INFINITY : deadline;
  const firstChunkMs = Math.min(config.stream?.firstChunkMs ?? perTryMs, perTryMs);
  const idleMs = config.stream?.idleMs ?? DEFAULT_IDLE_MS;
  const maxAttempts = config.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const resumes = config.stream?.resume === 'prefill';
  journey.progress.keepsText = resumes;
  route.budget?.recordCall();
  const cacheKey =
    route.cache === undefined
      ? undefined
      : StaleAnswers.key(config.name, request.method, request.pathAndQuery, request.body);

  /**
   * Adds the x-breakwater-* headers to `headers`, a record made for this one response, in
   * place: each answer is one header object, not three copies (the rows of BENCHMARKS.md "The
   * gateway"). The keys land where a spread would put them.
   */
  const mark = (
    headers: Record<string, string | string[]>,
    upstream: string | undefined,
    index: number,
  ): Record<string, string | string[]> => {
    headers['x-breakwater-upstream'] = upstream ?? 'none';
    headers['x-breakwater-attempts'] = String(journey.attempts);
    if (upstream !== undefined && index > 0) headers['x-breakwater-fallback'] = upstream;
    return headers;
  };
  const answer = (
    status: number,
    headers: Record<string, string | string[]>,
    body: Buffer,
    upstream: string | undefined,
    index: number,
  ): ForwardSummary => {
    journey.firstByteAt = env.now();
    journey.status = status;
    journey.upstream = upstream;
    if (upstream !== undefined && index > 0) journey.fallback = upstream;
    sink.send(status, mark(headers, upstream, index), body);
    return journey.summary();
  };

  targets: for (const [index, target] of config.targets.entries()) {
    const continuation = sink.committed;
    if (continuation) {
      const resumable =
        resumes &&
        target.prefill !== false &&
        !journey.progress.toolCall &&
        journey.progress.framing === 'events';
      if (!resumable) continue;
    }
    const upstream = env.upstreams.get(target.upstream);
    if (upstream === undefined) continue;
    const hooks: StreamHooks = {
      progress: journey.progress,
      continuation,
      headersFor: (own) => mark(own, target.upstream, index),
      onMalformed: () => {
        env.log.warn(
          { event: 'malformed_event', route: config.name, upstream: target.upstream },
          'dropped a malformed event from the upstream stream',
        );
        env.hub.emit('malformedEvent', { route: config.name, upstream: target.upstream });
      },
      onCommit: () => {
        journey.firstByteAt = env.now();
        journey.upstream = target.upstream;
        journey.status = 200;
        if (index > 0) journey.fallback = target.upstream;
      },
    };
    const body = bodyForTarget(
      kind,
      request.body,
      request.json,
      target,
      continuation ? journey.progress.text : undefined,
    );
    let previousDelayMs = 0;
    const attemptsHere = continuation ? 1 : maxAttempts;
    for (let attemptNo = 1; attemptNo <= attemptsHere; attemptNo++) {
      const remaining = (continuation ? answerDeadline : deadline) - env.now();
      // Nor does a continuation start once the total budget is spent.
      if (remaining <= 0) break targets;
      const limit = request.streaming ? firstChunkMs : perTryMs;
      const plan: AttemptPlan = {
        upstream,
        kind,
        method: request.method,
        pathAndQuery: request.pathAndQuery,
        clientHeaders: request.headers,
        body,
        tryMs: Math.max(1, Math.min(limit, remaining)),
        tryPhase: request.streaming ? 'first-chunk' : 'response',
        idleMs,
        deadlineAt: answerDeadline,
        responseBytes: env.responseBytes,
        clientSignal: request.signal,
      };
      let startedAt: number | undefined;
      try {
        const outcome = await env.resilience.execute(
          target.upstream,
          (ctx) => {
            journey.attempts++;
            startedAt = env.now();
            // What can abort the call, without making the context a signal of its own: with
            // no layer that cuts an upstream call short, that is the client's signal.
            return attempt(plan, abortSource(ctx), sink, hooks);
          },
          { signal: request.signal },
        );
        const durationMs = env.now() - (startedAt ?? env.now());
        journey.upstreamMs += durationMs;
        env.hub.emit('upstreamResult', {
          route: config.name,
          upstream: target.upstream,
          status: outcome.type === 'response' ? String(outcome.status) : '200',
          durationMs,
        });
        if (outcome.type === 'streamed') return journey.summary();
        if (cacheKey !== undefined && outcome.status < 300) {
          route.cache?.remember(cacheKey, outcome);
        }
        return answer(
          outcome.status,
          clientResponseHeaders(outcome.headers),
          outcome.body,
          target.upstream,
          index,
        );
      } catch (error) {
        if (startedAt !== undefined) {
          const durationMs = env.now() - startedAt;
          journey.upstreamMs += durationMs;
          env.hub.emit('upstreamResult', {
            route: config.name,
            upstream: target.upstream,
            status: statusLabel(error),
            durationMs,
          });
        }
        if (isClientGoneError(error) || request.signal.aborted) {
          journey.status = 499;
          return journey.summary();
        }
        if (isCircuitOpenError(error)) {
          const after = error.retryAfterMs;
          if (after !== undefined) {
            journey.soonestProbeMs = Math.min(journey.soonestProbeMs ?? after, after);
          }
          continue targets;
        }
        if (isBulkheadRejectedError(error) || isRateLimiterRejectedError(error)) {
          journey.lastError ??= error;
          continue targets;
        }
        env.log.warn(
          {
            event: 'upstream_failure',
            route: config.name,
            upstream: target.upstream,
            attempt: attemptNo,
            error: errorField(error),
          },
          'upstream try failed',
        );
        if (sink.committed) {
          journey.broken ??= error;
          continue targets;
        }
        journey.lastError = error;
        if (isUpstreamStatusError(error)) {
          journey.lastStatusError = error;
          if (error.verdict === 'context-length') continue targets;
          if (error.verdict === 'content-policy' || !isTransient(error)) {
            return answer(
              error.status,
              clientResponseHeaders(error.headers),
              error.body,
              target.upstream,
              index,
            );
          }
        } else if (isUpstreamTimeoutError(error) || !isTransient(error)) {
          // A silent upstream is not asked again: the next target is.
          continue targets;
        }
        if (attemptNo === attemptsHere) continue targets;
        const wait = retryWaitMs(
          route.backoff,
          attemptNo,
          previousDelayMs,
          error,
          deadline - env.now(),
        );
        if (wait === undefined) continue targets;
        // Asked last, so no retry is taken from the budget only to be skipped anyway.
        if (route.budget?.tryRetry() === false) {
          env.hub.emit('retryDenied', { route: config.name, upstream: target.upstream });
          env.log.warn(
            { event: 'retry_budget_exhausted', route: config.name, upstream: target.upstream },
            'retry budget spent: moving to the next target',
          );
          continue targets;
        }
        previousDelayMs = wait;
        try {
          await sleep(wait, request.signal);
        } catch {
          journey.status = 499;
          return journey.summary();
        }
        journey.upstreamMs += wait;
      }
    }
  }
  return nothingLeft(journey, route, sink, cacheKey, answer);
}

/** Every target is spent: finish a broken stream, or answer from the cache, an error, or 503. */
async function nothingLeft(
  journey: Journey,
  route: LiveRoute,
  sink: ResponseSink,
  cacheKey: string | undefined,
  answer: (
    status: number,
    headers: Record<string, string | string[]>,
    body: Buffer,
    upstream: string | undefined,
    index: number,
  ) => ForwardSummary,
): Promise<ForwardSummary> {
  if (sink.committed) {
    if (journey.progress.framing === 'events') {
      const cause = journey.broken instanceof Error ? journey.broken.message : 'unknown cause';
      await sink.write(
        dialects[route.kind].inBandError(`the upstream stream was interrupted: ${cause}`),
      );
      sink.end();
    } else {
      sink.abort();
    }
    return journey.summary();
  }
  const stale = cacheKey === undefined ? undefined : route.cache?.recall(cacheKey);
  if (stale !== undefined) {
    const summary = answer(
      stale.status,
      { ...clientResponseHeaders(stale.headers), 'x-breakwater-fallback': 'cache' },
      stale.body,
      undefined,
      0,
    );
    return { ...summary, upstream: undefined, fallback: 'cache' };
  }
  const last = journey.lastStatusError;
  if (last !== undefined) {
    const index = route.config.targets.findIndex((t) => t.upstream === last.upstream);
    return answer(
      last.status,
      clientResponseHeaders(last.headers),
      last.body,
      last.upstream,
      index,
    );
  }
  const retryAfterS = Math.max(1, Math.ceil((journey.soonestProbeMs ?? 1000) / 1000));
  const message =
    journey.lastError === undefined
      ? 'every upstream of this route is unavailable (circuit open)'
      : `no upstream could answer: ${errorField(journey.lastError).message}`;
  const body = Buffer.from(
    JSON.stringify({
      error: {
        type: 'upstream_unavailable',
        message,
        route: route.config.name,
        retryAfterSeconds: retryAfterS,
      },
    }),
  );
  return answer(503, { ...JSON_TYPE, 'retry-after': String(retryAfterS) }, body, undefined, 0);
}
