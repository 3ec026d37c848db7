/**
 * A small, honest benchmark harness: every case is timed in the same process as the bare
 * baseline, after a warm-up, over several rounds, and reported as the median per call.
 */

/** One call of the thing being measured; it must await the full call. */
export type BenchCall = () => Promise<unknown>;

export interface BenchCase {
  /** Shown in the table, e.g. `breakwater breaker (closed, success)`. */
  readonly name: string;
  /** Which library the row belongs to (`bare` for the baseline), for side-by-side reading. */
  readonly library: string;
  readonly call: BenchCall;
  /** Calls kept in flight at once; 1 (sequential) when absent. */
  readonly inFlight?: number;
}

/** A custom measurement that is not "time per call" (heap per object, ms per load, …). */
export interface BenchMeasurement {
  readonly name: string;
  readonly library: string;
  readonly value: number;
  readonly unit: string;
  /** Optional floor to compare against, shown next to the value. */
  readonly target?: string;
}

export interface BenchSuite {
  readonly title: string;
  /** Timed cases; each is reported as ns/call and as a ratio to the bare call of the same mode. */
  readonly cases?: () => BenchCase[] | Promise<BenchCase[]>;
  /** Other measurements the suite makes itself. */
  readonly measure?: () => Promise<BenchMeasurement[]>;
  /** Releases what the suite started (servers, clients). */
  readonly teardown?: () => Promise<void>;
}

export interface TimedResult {
  readonly name: string;
  readonly library: string;
  readonly inFlight: number;
  readonly nsPerCall: number;
}

const now = (): bigint => process.hrtime.bigint();

async function oneRound(call: BenchCall, inFlight: number, calls: number): Promise<number> {
  const started = now();
  if (inFlight <= 1) {
    for (let i = 0; i < calls; i++) await call();
  } else {
    const batch: Promise<unknown>[] = new Array<Promise<unknown>>(inFlight);
    for (let done = 0; done < calls; done += inFlight) {
      for (let j = 0; j < inFlight; j++) batch[j] = call();
      await Promise.all(batch);
    }
  }
  return Number(now() - started) / calls;
}

/**
 * Times `call`: sizes the round to about `roundMs`, warms up, then takes the median of
 * `rounds` rounds. Bounded in time whatever the call costs.
 */
export async function timeCall(
  call: BenchCall,
  inFlight = 1,
  { rounds = 7, roundMs = 60 }: { rounds?: number; roundMs?: number } = {},
): Promise<number> {
  let calls = Math.max(inFlight, 1000);
  for (;;) {
    const ns = await oneRound(call, inFlight, calls);
    if (ns * calls >= roundMs * 1e6 || calls >= 50_000_000) break;
    calls =
      Math.ceil(Math.min(calls * 10, (roundMs * 1e6) / Math.max(ns, 1)) / inFlight) * inFlight;
  }
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(await oneRound(call, inFlight, calls));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

/** Bytes of heap retained per object made by `make`, over `count` objects kept alive. */
export async function heapPerObject(make: () => unknown, count: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('heapPerObject needs node --expose-gc');
  const settle = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return process.memoryUsage().heapUsed;
  };
  const kept: unknown[] = new Array<unknown>(count);
  const before = await settle();
  for (let i = 0; i < count; i++) kept[i] = make();
  const after = await settle();
  if (kept.length !== count) throw new Error('unreachable');
  return (after - before) / count;
}
