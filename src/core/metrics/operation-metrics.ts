import { isoTime } from './iso-time.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';

/** `OperationMetrics.toJSON()`: plain data, timestamps as ISO strings (null when never). */
export interface OperationMetricsJSON {
  readonly operation: string;
  readonly totalCalls: number;
  readonly successfulCalls: number;
  readonly failedCalls: number;
  readonly retryAttempts: number;
  readonly fallbackCalls: number;
  readonly rejectedCalls: number;
  readonly circuitOpens: number;
  readonly successRate: number;
  readonly lastSuccess: string | null;
  readonly lastFailure: string | null;
  readonly latencyMs: LatencySummary;
  /** Time to first chunk of streaming calls; present once one has streamed. */
  readonly firstChunkMs?: LatencySummary;
}

/** Calls timed one by one after a reset, before latency sampling starts. */
const TIME_EVERY_CALL_UNTIL = 1_000;
/** After that, one call in this many (on average, at random) is timed. */
const SAMPLE_ONE_IN = 8;

/**
 * One operation's counters. Every finished call is exactly one of successful or failed; a
 * call answered by the fallback and a call rejected without running (open circuit, full
 * bulkhead, rate limit) are failed calls, also counted in `fallbackCalls` / `rejectedCalls`.
 */
export class OperationMetrics {
  totalCalls = 0;
  successfulCalls = 0;
  failedCalls = 0;
  /** Retries made (attempts after the first). */
  retryAttempts = 0;
  fallbackCalls = 0;
  rejectedCalls = 0;
  circuitOpens = 0;
  lastFailureAt: number | undefined;
  /**
   * Duration of whole calls (retries and fallback included), in milliseconds. Every call
   * is timed until a thousand are recorded, then one in eight at random: reading a clock
   * can cost more than the call being protected, and a random eighth of a busy
   * operation's calls gives the same percentiles (BENCHMARKS.md "`wrap`, balanced strategy").
   */
  readonly latency = new LatencyHistogram();
  /** Time to first chunk of streaming calls (`wrapStream`), made by the first one. */
  firstChunk: LatencyHistogram | undefined;
  /** The clock reading of the last success, once read (see `recordUntimedSuccess`). */
  private successAt: number | undefined;
  /** A success whose time is still to be read, at the latest by the microtask `stamper` queued. */
  private successUnstamped = false;
  private stamper: (() => void) | undefined;
  /** Calls to leave untimed before the next timed one. */
  private skip = 0;
  /** xorshift32 state: picks which calls are timed without lining up with a traffic pattern. */
  private random = 0x9e3779b9;
  private json: OperationMetricsJSON | undefined;

  /**
   * `toWall` turns the clock readings the calls are recorded with into wall-clock time for
   * `lastSuccess` and `lastFailure` (the readings come from a monotonic clock by default).
   */
  constructor(
    readonly operation: string,
    private readonly toWall: (reading: number) => number = (reading) => reading,
    /** The clock the calls are recorded with, read for untimed successes. */
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The clock reading of the last success (a success still to be stamped is stamped first). */
  get lastSuccessAt(): number | undefined {
    if (this.successUnstamped) this.stampSuccess();
    return this.successAt;
  }

  get lastSuccess(): Date | undefined {
    return this.lastSuccessAt === undefined ? undefined : new Date(this.toWall(this.lastSuccessAt));
  }

  get lastFailure(): Date | undefined {
    return this.lastFailureAt === undefined ? undefined : new Date(this.toWall(this.lastFailureAt));
  }

  /** Successful calls over finished calls, 0..1; 1 while nothing has finished. */
  get successRate(): number {
    const finished = this.successfulCalls + this.failedCalls;
    return finished === 0 ? 1 : this.successfulCalls / finished;
  }

  /** Calls started but not finished yet. */
  get inFlight(): number {
    return this.totalCalls - this.successfulCalls - this.failedCalls;
  }

  /** Whether the call starting now should be timed (see `latency`). */
  timeThisCall(): boolean {
    if (this.latency.count < TIME_EVERY_CALL_UNTIL) return true;
    if (this.skip > 0) {
      this.skip--;
      return false;
    }
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    this.skip = (x >>> 0) % (2 * SAMPLE_ONE_IN - 1);
    return true;
  }

  /** A call that started at `started` (NaN when it was not timed) answered at `now` (clock milliseconds). */
  recordSuccess(started: number, now: number): void {
    this.successfulCalls++;
    this.successUnstamped = false;
    this.successAt = now;
    this.latency.record(now - started);
  }

  /**
   * A success of an untimed call, which has read no clock. Alone in flight, it reads the
   * clock now. While other calls of the operation are still in flight, the first success
   * queues one reading for all those that follow it in the same run of microtasks: the
   * microtask runs before anything those successes resume (their callers' code), and reading
   * `lastSuccessAt` stamps a pending success first, so no reader sees an earlier time than a
   * success it could know of, and none an older one. 1,000 calls in flight read the clock
   * a few times instead of 1,000 (BENCHMARKS.md "`wrap`, balanced strategy", 1000 in flight).
   */
  recordUntimedSuccess(): void {
    this.successfulCalls++;
    if (this.inFlight === 0) {
      this.successUnstamped = false;
      this.successAt = this.now();
    } else if (!this.successUnstamped) {
      this.successUnstamped = true;
      void Promise.resolve().then((this.stamper ??= () => this.stampSuccess()));
    }
  }

  private stampSuccess(): void {
    if (!this.successUnstamped) return;
    this.successUnstamped = false;
    this.successAt = this.now();
  }

  recordFailure(started: number, now: number): void {
    this.failedCalls++;
    // A success still to be stamped came first: stamped now, it stays no later than this failure.
    if (this.successUnstamped) this.stampSuccess();
    this.lastFailureAt = now;
    this.latency.record(now - started);
  }

  /** A streaming call's first chunk came `ms` after the call started. */
  recordFirstChunk(ms: number): void {
    (this.firstChunk ??= new LatencyHistogram()).record(ms);
  }

  reset(): void {
    this.firstChunk?.reset();
    this.totalCalls = 0;
    this.successfulCalls = 0;
    this.failedCalls = 0;
    this.retryAttempts = 0;
    this.fallbackCalls = 0;
    this.rejectedCalls = 0;
    this.circuitOpens = 0;
    this.successUnstamped = false;
    this.successAt = undefined;
    this.lastFailureAt = undefined;
    this.latency.reset();
    this.json = undefined;
  }

  /**
   * Plain data, frozen. Kept until a counter moves, so reading many idle operations (a
   * scrape, `allMetrics()`) costs a comparison each instead of a serialisation (BENCHMARKS.md
   * "`healthStatus()` / `allMetrics()`, 1,000 operations").
   */
  toJSON(): OperationMetricsJSON {
    const cached = this.json;
    if (
      cached !== undefined &&
      cached.totalCalls === this.totalCalls &&
      cached.successfulCalls === this.successfulCalls &&
      cached.failedCalls === this.failedCalls &&
      cached.retryAttempts === this.retryAttempts &&
      cached.fallbackCalls === this.fallbackCalls &&
      cached.rejectedCalls === this.rejectedCalls &&
      cached.circuitOpens === this.circuitOpens &&
      cached.latencyMs.count === this.latency.count &&
      cached.firstChunkMs?.count === this.firstChunk?.count
    ) {
      return cached;
    }
    this.json = Object.freeze({
      operation: this.operation,
      totalCalls: this.totalCalls,
      successfulCalls: this.successfulCalls,
      failedCalls: this.failedCalls,
      retryAttempts: this.retryAttempts,
      fallbackCalls: this.fallbackCalls,
      rejectedCalls: this.rejectedCalls,
      circuitOpens: this.circuitOpens,
      successRate: this.successRate,
      lastSuccess:
        this.lastSuccessAt === undefined ? null : isoTime(this.toWall(this.lastSuccessAt)),
      lastFailure:
        this.lastFailureAt === undefined ? null : isoTime(this.toWall(this.lastFailureAt)),
      latencyMs: this.latency.summary(),
      ...(this.firstChunk === undefined ? {} : { firstChunkMs: this.firstChunk.summary() }),
    });
    return this.json;
  }
}
