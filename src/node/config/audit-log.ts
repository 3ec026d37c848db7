import { appendFileSync, readFileSync } from 'node:fs';
import type { AuditEntry } from '../../core/orchestrator/audit.js';

/** What `recordAuditLog` needs of a resilience instance: its configuration-change events. */
export interface AuditSource {
  observe(observer: { onConfigChange?(entry: AuditEntry): void }): () => void;
}

/** Values JSON cannot hold (an unbounded `Infinity`, a function) written as strings. */
const replacer = (_key: string, value: unknown): unknown =>
  typeof value === 'number' && !Number.isFinite(value)
    ? String(value)
    : typeof value === 'function'
      ? '[function]'
      : value;

/** Appends one audit entry to a JSON-lines file (created when missing). */
export function appendAuditEntry(file: string, entry: AuditEntry): void {
  appendFileSync(file, `${JSON.stringify(entry, replacer)}\n`, 'utf8');
}

/**
 * Appends every configuration change of `resilience` to a JSON-lines file as it is
 * applied. Returns the function that stops recording.
 */
export function recordAuditLog(resilience: AuditSource, file: string): () => void {
  return resilience.observe({ onConfigChange: (entry) => appendAuditEntry(file, entry) });
}

/** Reads a JSON-lines audit log back, oldest first; a missing file is an empty log. */
export function readAuditLog(file: string): AuditEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}
