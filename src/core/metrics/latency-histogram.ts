/** Relative width of a bucket: any percentile read back is within ±2 % of a recorded value. */
const GAMMA = 1.04;
const LOG_GAMMA = Math.log(GAMMA);
/** Latencies at or below one microsecond are counted together as zero. */
const SMALLEST_MS = 0.001;
/** Latencies above about eleven days share the top bucket, which bounds the array's length. */
const LARGEST_MS = 1e9;
const MIN_INDEX = Math.ceil(Math.log(SMALLEST_MS) / LOG_GAMMA);
const MAX_INDEX = Math.ceil(Math.log(LARGEST_MS) / LOG_GAMMA);

export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

const EMPTY: LatencySummary = { count: 0, min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0 };

/**
 * Latencies (milliseconds) in logarithmic buckets: memory stays bounded (at most ~700 counters,
 * allocated lazily and only over the range actually seen) whatever the number of calls,
 * and percentiles come back within the bucket's relative error.
 */
export class LatencyHistogram {
  private counts: Uint32Array | undefined;
  /** The bucket index stored at `counts[0]`. */
  private offset = 0;
  private zeros = 0;
  private total = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  get count(): number {
    return this.total;
  }

  record(ms: number): void {
    if (!(ms >= 0)) return;
    this.total++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    if (ms <= SMALLEST_MS) {
      this.zeros++;
      return;
    }
    const index = Math.min(Math.ceil(Math.log(ms) / LOG_GAMMA), MAX_INDEX);
    let counts = this.counts;
    if (counts === undefined || index < this.offset || index >= this.offset + counts.length) {
      counts = this.cover(index);
    }
    counts[index - this.offset] = (counts[index - this.offset] ?? 0) + 1;
  }

  /** Grows the dense array so that it covers `index`, with some room on either side. */
  private cover(index: number): Uint32Array {
    const old = this.counts;
    if (old === undefined) {
      this.offset = Math.max(MIN_INDEX, index - 16);
      this.counts = new Uint32Array(Math.min(MAX_INDEX, index + 16) - this.offset + 1);
      return this.counts;
    }
    const low = Math.max(MIN_INDEX, Math.min(this.offset, index - 32));
    const high = Math.min(MAX_INDEX, Math.max(this.offset + old.length - 1, index + 32));
    const grown = new Uint32Array(high - low + 1);
    grown.set(old, this.offset - low);
    this.offset = low;
    this.counts = grown;
    return grown;
  }

  /** Latency at quantile `q` (0..1), or 0 when nothing was recorded. */
  quantile(q: number): number {
    return this.quantiles([q])[0] ?? 0;
  }

  /** Several quantiles (ascending) in one pass over the buckets. */
  quantiles(qs: readonly number[]): number[] {
    const out = new Array<number>(qs.length).fill(0);
    const total = this.total;
    if (total === 0) return out;
    let next = 0;
    let rank = Math.max(1, Math.ceil((qs[0] ?? 1) * total));
    let seen = this.zeros;
    while (next < qs.length && rank <= seen) {
      out[next++] = this.min;
      rank = Math.max(1, Math.ceil((qs[next] ?? 1) * total));
    }
    const counts = this.counts;
    if (counts !== undefined) {
      for (let i = 0; i < counts.length && next < qs.length; i++) {
        seen += counts[i] ?? 0;
        while (next < qs.length && rank <= seen) {
          out[next++] = this.representative(i + this.offset);
          rank = Math.max(1, Math.ceil((qs[next] ?? 1) * total));
        }
      }
    }
    while (next < qs.length) out[next++] = this.max;
    return out;
  }

  /** The value reported for a bucket: its geometric middle, kept within what was seen. */
  private representative(index: number): number {
    const value = (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
    return Math.min(this.max, Math.max(this.min, value));
  }

  summary(): LatencySummary {
    if (this.total === 0) return EMPTY;
    const [p50 = 0, p95 = 0, p99 = 0] = this.quantiles([0.5, 0.95, 0.99]);
    return {
      count: this.total,
      min: this.min,
      max: this.max,
      mean: this.sum / this.total,
      p50,
      p95,
      p99,
    };
  }

  reset(): void {
    this.counts = undefined;
    this.offset = 0;
    this.zeros = 0;
    this.total = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}
