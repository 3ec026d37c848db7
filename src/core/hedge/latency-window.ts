/**
 * The last `size` latencies in a ring buffer (bounded memory), and a percentile of them
 * recomputed only after a tenth of the window has changed, so a call rarely pays for a sort.
 */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private readonly sorted: Float64Array;
  private count = 0;
  private next = 0;
  private sinceComputed = Infinity;
  private cached = 0;
  private readonly recomputeEvery: number;

  constructor(
    private readonly size: number,
    private readonly percentile: number,
  ) {
    this.samples = new Float64Array(size);
    this.sorted = new Float64Array(size);
    this.recomputeEvery = Math.max(1, Math.floor(size / 10));
  }

  get length(): number {
    return this.count;
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
    this.sinceComputed++;
  }

  /** The nearest-rank percentile of the samples (0 when there are none). */
  value(): number {
    if (this.sinceComputed >= this.recomputeEvery) {
      this.sinceComputed = 0;
      const view = this.sorted.subarray(0, this.count);
      view.set(this.samples.subarray(0, this.count));
      view.sort();
      const rank = Math.ceil((this.percentile / 100) * this.count);
      this.cached = view[Math.min(this.count, Math.max(1, rank)) - 1] ?? 0;
    }
    return this.cached;
  }
}
