import { checkInteger } from '../option-checks.js';

/** The label every operation past the limit shares. */
export const OTHER_OPERATION = 'other';

/**
 * Bounds the cardinality of an `operation` label for metric exporters: the first `limit`
 * operations seen keep their own name, every later one is reported as `'other'`. Names once
 * admitted stay admitted (their series already exist), so a label never changes meaning.
 */
export class OperationLabels {
  private readonly admitted = new Set<string>();
  readonly limit: number;

  /** `limit` is the exporter's `maxOperations` option (default 1,000), checked here. */
  constructor(owner: string, limit: number | undefined) {
    this.limit = checkInteger(owner, 'maxOperations', limit ?? 1_000, 1);
  }

  of(operation: string): string {
    if (this.admitted.has(operation)) return operation;
    if (this.admitted.size >= this.limit) return OTHER_OPERATION;
    this.admitted.add(operation);
    return operation;
  }
}
