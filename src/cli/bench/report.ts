import type { LoadFigures } from './load.js';

const fixed = (n: number, digits: number): string => n.toFixed(digits);

/** The side-by-side table `bench` prints: one column per run. */
export function benchTable(runs: readonly LoadFigures[]): string {
  const rows: [string, (f: LoadFigures) => string][] = [
    ['requests/s', (f) => fixed(f.requestsPerSecond, 0)],
    ['p50 latency (ms)', (f) => fixed(f.p50Ms, 2)],
    ['p99 latency (ms)', (f) => fixed(f.p99Ms, 2)],
    ['requests', (f) => String(f.requests)],
    ['errors', (f) => `${f.errors}${f.non2xx > 0 ? ` (${f.non2xx} not 2xx)` : ''}`],
  ];
  const header = ['', ...runs.map((f) => f.label)];
  const body = rows.map(([name, cell]) => [name, ...runs.map(cell)]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body].map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  const ratio =
    runs.length === 2 &&
    runs[0] !== undefined &&
    runs[1] !== undefined &&
    runs[0].requestsPerSecond > 0
      ? [
          '',
          `through the gateway: ${fixed(runs[1].requestsPerSecond / runs[0].requestsPerSecond, 2)}× the requests/s, +${fixed(runs[1].p50Ms - runs[0].p50Ms, 2)} ms at p50`,
        ]
      : [];
  return [line(header), ...body.map(line), ...ratio].join('\n');
}
