import { parseSnapshot } from '../core/breaker/snapshot.js';
import type { CircuitSnapshot } from '../core/breaker/store.js';

/**
 * Reads a snapshot that arrived as JSON (a pub/sub message, a stored hash field, a script
 * reply). Anything else — null, garbage, another program's message on the channel — is
 * `undefined`, never an exception: it arrives inside an event listener.
 */
export function snapshotFromJson(raw: unknown): CircuitSnapshot | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    return parseSnapshot(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

/** The `snapshot` field of a script's JSON reply, checked. */
export function replySnapshot(reply: unknown): CircuitSnapshot | undefined {
  if (typeof reply !== 'object' || reply === null) return undefined;
  return parseSnapshot((reply as { snapshot?: unknown }).snapshot);
}
