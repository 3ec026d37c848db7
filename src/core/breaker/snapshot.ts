import type { CircuitState } from './state.js';
import type { CircuitSnapshot, TransitionReason } from './store.js';

const STATES: ReadonlySet<string> = new Set<CircuitState>([
  'closed',
  'open',
  'half-open',
  'isolated',
  'disabled',
]);

const REASONS: ReadonlySet<string> = new Set<TransitionReason>([
  'created',
  'failures',
  'slow-calls',
  'open-time-elapsed',
  'probes-succeeded',
  'probe-failed',
  'isolate',
  'reset',
  'disable',
  'enable',
]);

/** Versions and open counts stay below this, so that they can still rise by one. */
export const MAX_SNAPSHOT_COUNT = 2 ** 50;

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SNAPSHOT_COUNT;

/**
 * Checks that `value` is a breaker snapshot (as `toJSON()` makes, possibly after a trip
 * through JSON, a file or Redis) and returns it, or `undefined` when it is not one.
 */
export function parseSnapshot(value: unknown): CircuitSnapshot | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Record<string, unknown>;
  const { state, reason, openUntil } = s;
  if (typeof s.name !== 'string' || typeof state !== 'string' || !STATES.has(state)) {
    return undefined;
  }
  if (typeof reason !== 'string' || !REASONS.has(reason)) return undefined;
  if (!isCount(s.version) || !isCount(s.opens)) return undefined;
  if (typeof s.since !== 'number' || !Number.isFinite(s.since)) return undefined;
  if (openUntil !== null && (typeof openUntil !== 'number' || !Number.isFinite(openUntil))) {
    return undefined;
  }
  // An open circuit without an end would stay open for ever.
  if ((state === 'open' || state === 'half-open') && openUntil === null) return undefined;
  return value as CircuitSnapshot;
}
