import type { Clock } from '../clock.js';
import type { CircuitState } from '../breaker/state.js';
import type { AuditEntry } from '../orchestrator/audit.js';
import type { CallEndEvent, ResilienceObserver } from '../orchestrator/observer.js';
import { errorFields } from './error-fields.js';
import type { Logger, LogLevel } from './logger.js';
import { RecordLimiter } from './record-limiter.js';
import { isSecretKey, REDACTED, redactText, redactValue } from './redact.js';

/** States that stop calls from reaching the dependency: worth a warning when entered. */
const ALARMING: ReadonlySet<CircuitState> = new Set(['open', 'isolated', 'disabled']);
/** A configuration record lists this many changed settings at most. */
const MAX_CHANGES = 50;

/** A setting's value as a record shows it: secrets never, by the setting's name or its content. */
function safeSetting(path: string, value: unknown): unknown {
  const key = path.slice(path.lastIndexOf('.') + 1);
  return isSecretKey(key) ? REDACTED : redactValue(value);
}

/**
 * The orchestrator's records for a pino-style logger (SPEC §8.1): circuit transitions (a
 * transition to open is `warn`), retries (`debug`, or `info` without one), give-ups (`warn`),
 * fallbacks and rejections (`info`), configuration changes (`info`). Fields are stable:
 * `event`, `operation`, `from`, `to`, `attempt`, `delayMs`, `reason`, `source`,
 * `error: { name, message, status }`, and `suppressed` when the rate limit held records back.
 * Every text that could carry a secret is redacted; per-call records are rate-limited per
 * operation and event.
 */
export function loggingObserver(logger: Logger, clock: Clock): ResilienceObserver {
  const limiter = new RecordLimiter(clock);
  const write = (
    level: LogLevel,
    limitKey: string | undefined,
    fields: Record<string, unknown>,
    message: string,
  ): void => {
    if (limitKey !== undefined) {
      const suppressed = limiter.admit(limitKey);
      if (suppressed === false) return;
      if (suppressed > 0) fields.suppressed = suppressed;
    }
    // Called as methods: pino's need their `this`.
    if (level === 'debug') {
      if (logger.debug !== undefined) logger.debug(fields, message);
      else logger.info(fields, message);
    } else {
      logger[level](fields, message);
    }
  };
  const callEnded = (event: CallEndEvent): void => {
    if (event.outcome === 'success') return;
    const operation = redactText(event.operation);
    const error = event.error === undefined ? undefined : errorFields(event.error);
    if (event.outcome === 'fallback') {
      const fields = {
        event: 'fallback',
        operation,
        source: event.source,
        ...(event.reason === undefined ? {} : { reason: event.reason }),
        ...(error === undefined ? {} : { error }),
      };
      write(
        'info',
        `${event.operation}\u0000fallback`,
        fields,
        `${operation}: answered by the fallback`,
      );
    } else if (event.reason !== undefined) {
      const fields = {
        event: 'rejected',
        operation,
        reason: event.reason,
        ...(error === undefined ? {} : { error }),
      };
      write(
        'info',
        `${event.operation}\u0000rejected`,
        fields,
        `${operation}: rejected (${event.reason})`,
      );
    } else {
      const fields = {
        event: 'give-up',
        operation,
        durationMs: event.durationMs,
        ...(error === undefined ? {} : { error }),
      };
      write(
        'warn',
        `${event.operation}\u0000give-up`,
        fields,
        `${operation}: failed${error === undefined ? '' : `: ${error.name}: ${error.message}`}`,
      );
    }
  };
  return {
    onStateChange: ({ operation, from, to }) => {
      const name = redactText(operation);
      write(
        ALARMING.has(to) ? 'warn' : 'info',
        `${operation}\u0000transition`,
        { event: 'transition', operation: name, from, to },
        `circuit ${name}: ${from} → ${to}`,
      );
    },
    onRetry: ({ operation, attempt, delayMs, error }) => {
      const name = redactText(operation);
      write(
        'debug',
        `${operation}\u0000retry`,
        { event: 'retry', operation: name, attempt, delayMs, error: errorFields(error) },
        `${name}: attempt ${attempt} failed, retrying in ${Math.round(delayMs)} ms`,
      );
    },
    onCallEnd: callEnded,
    onConfigChange: (entry: AuditEntry) => {
      const changes = entry.changes.slice(0, MAX_CHANGES).map(({ path, before, after }) => ({
        path: redactText(path),
        before: safeSetting(path, before),
        after: safeSetting(path, after),
      }));
      const more = entry.changes.length - changes.length;
      write(
        'info',
        undefined,
        {
          event: 'config-change',
          source: redactText(entry.source),
          ...(entry.actor === undefined ? {} : { actor: redactText(entry.actor) }),
          changes,
          ...(more > 0 ? { moreChanges: more } : {}),
        },
        `configuration changed (${redactText(entry.source)}): ${entry.changes.length} setting${entry.changes.length === 1 ? '' : 's'}`,
      );
    },
    onOperationRemoved: ({ operation }) => limiter.forget(`${operation}\u0000`),
  };
}
