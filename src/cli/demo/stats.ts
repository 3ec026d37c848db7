import { LatencyHistogram } from '../../core/metrics/latency-histogram.js';

/** What happened to one operation's calls since the last live line. */
export class WindowStats {
  requests = 0;
  direct = 0;
  fallback = 0;
  failed = 0;
  readonly latency = new LatencyHistogram();

  record(outcome: 'success' | 'fallback' | 'failure', durationMs: number): void {
    this.requests++;
    if (outcome === 'success') this.direct++;
    else if (outcome === 'fallback') this.fallback++;
    else this.failed++;
    this.latency.record(durationMs);
  }

  reset(): void {
    this.requests = 0;
    this.direct = 0;
    this.fallback = 0;
    this.failed = 0;
    this.latency.reset();
  }
}

export const percent = (part: number, whole: number): string =>
  whole === 0 ? '   –' : `${Math.round((100 * part) / whole)}%`.padStart(4);

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`.padStart(6);

/** A plain-text table: the first row is the header, columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}
