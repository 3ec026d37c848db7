import { isPlainObject } from '../plain-object.js';
/** One setting that changed: its path in the configuration (`operations.qa.retry.maxAttempts`). */
export interface AuditChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The operator commands a breaker takes. */
export type BreakerCommand = 'isolate' | 'reset' | 'disable' | 'enable';

/** One applied configuration change, or one operator command. */
export interface AuditEntry {
  /** ISO timestamp. */
  readonly at: string;
  /** Where the change came from: `'runtime'`, `'file'`, `'env'`, an admin endpoint… */
  readonly source: string;
  /** Who made it, when known. */
  readonly actor?: string;
  /** Set for an operator command on a breaker (`'isolate'`, `'reset'`, `'disable'`, `'enable'`). */
  readonly command?: BreakerCommand;
  readonly changes: readonly AuditChange[];
}

/** Every leaf path whose value differs between `before` and `after`. */
export function diffPaths(before: unknown, after: unknown, path = ''): AuditChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) =>
      diffPaths(before[key], after[key], path === '' ? key : `${path}.${key}`),
    );
  }
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
  }
  return [{ path, before, after }];
}

/** The last `limit` entries, oldest first: the trail stays bounded however long the process runs. */
export class AuditTrail {
  private readonly entries: AuditEntry[] = [];
  constructor(private readonly limit = 1_000) {}

  append(entry: AuditEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  list(): readonly AuditEntry[] {
    return [...this.entries];
  }
}
