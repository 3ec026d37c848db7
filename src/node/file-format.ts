import { parseSnapshot } from '../core/breaker/snapshot.js';
import type { CircuitSnapshot } from '../core/breaker/store.js';

/** Marks the file as ours, so that a wrong path is reported instead of silently overwritten. */
const FILE_FORMAT = 'breakwater.breakers';
const FILE_VERSION = 1;

/**
 * The state file: every breaker's latest `toJSON()` snapshot by name.
 * `{ "format": "breakwater.breakers", "version": 1, "breakers": { "<name>": snapshot } }`
 */
export interface StateFile {
  readonly format: typeof FILE_FORMAT;
  readonly version: typeof FILE_VERSION;
  readonly breakers: Record<string, CircuitSnapshot>;
}

export function serialize(breakers: ReadonlyMap<string, CircuitSnapshot>): string {
  const file: StateFile = {
    format: FILE_FORMAT,
    version: FILE_VERSION,
    breakers: Object.fromEntries(breakers),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The breakers a file holds, and what was wrong with it, if anything. */
export interface ParsedFile {
  readonly breakers: Map<string, CircuitSnapshot>;
  readonly problems: string[];
}

/** Reads a state file's text. Never throws: whatever cannot be read is listed in `problems`. */
export function parse(text: string): ParsedFile {
  const breakers = new Map<string, CircuitSnapshot>();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { breakers, problems: [`not JSON (${(error as Error).message})`] };
  }
  const file = data as Partial<Record<keyof StateFile, unknown>> | null;
  if (typeof file !== 'object' || file === null || file.format !== FILE_FORMAT) {
    return { breakers, problems: [`not a breakwater state file (no "format": "${FILE_FORMAT}")`] };
  }
  if (file.version !== FILE_VERSION) {
    return { breakers, problems: [`unknown file version ${String(file.version)}`] };
  }
  if (typeof file.breakers !== 'object' || file.breakers === null) {
    return { breakers, problems: ['"breakers" is not an object'] };
  }
  const problems: string[] = [];
  for (const [name, value] of Object.entries(file.breakers)) {
    const snapshot = parseSnapshot(value);
    if (snapshot === undefined || snapshot.name !== name) {
      problems.push(`breaker "${name}" is not a valid snapshot; it starts closed`);
    } else {
      breakers.set(name, snapshot);
    }
  }
  return { breakers, problems };
}
