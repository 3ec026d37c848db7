/**
 * What every proof suite prints as its last stdout line, read by proof/main.ts. A suite runs in
 * a process of its own, so its heap, handles and timers are its own to measure.
 */
export interface Check {
  /** The promise being checked, e.g. "every request answered". */
  readonly name: string;
  readonly ok: boolean;
  /** The measured figure behind the verdict. */
  readonly detail: string;
}

export interface SuiteReport {
  readonly suite: string;
  readonly figures: Readonly<Record<string, string | number>>;
  readonly checks: readonly Check[];
}

export type Profile = 'quick' | 'full';

export const profileOf = (argv: readonly string[]): Profile =>
  argv.includes('--quick') ? 'quick' : 'full';

export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

/** Prints the report as the suite's last line and sets the exit code from its checks. */
export function finish(report: SuiteReport): void {
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = report.checks.every((c) => c.ok) ? 0 : 1;
}

/** Counts rejections nobody handled while a suite ran; every suite requires zero. */
export function trackUnhandled(): () => number {
  let count = 0;
  process.on('unhandledRejection', (reason) => {
    count += 1;
    process.stderr.write(`unhandled rejection: ${String(reason)}\n`);
  });
  return () => count;
}

/** Heap in use after full collections (the suite runs with --expose-gc). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run proof suites with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Live handles and timers by kind, as Node reports them. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/**
 * Whether `after` holds no resource kind more often than `before` did: nothing was left behind.
 * (Something still settling when `before` was read, such as a module's file read, may be gone.)
 */
export function nothingAdded(
  after: Readonly<Record<string, number>>,
  before: Readonly<Record<string, number>>,
): boolean {
  return Object.entries(after).every(([kind, count]) => count <= (before[kind] ?? 0));
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}
