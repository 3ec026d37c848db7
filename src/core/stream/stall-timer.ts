/**
 * The idle deadline of one stream with a single timer, however many chunks flow: each wait
 * for a chunk only records when it began; the timer, when it fires, compares that with the
 * limit and either reports a stall or re-arms itself for what remains. A stream that
 * delivers a chunk every few milliseconds costs one timer per `idleMs`, not one per chunk.
 */
export class StallTimer {
  private waitingSince = Number.NaN;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly fire = (): void => this.check();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number,
    private readonly onStall: () => void,
  ) {}

  /** A wait for the next chunk begins. */
  waiting(): void {
    this.waitingSince = this.now();
    if (this.timer === undefined) this.timer = setTimeout(this.fire, this.idleMs);
  }

  /** The chunk arrived (or the wait ended otherwise). */
  arrived(): void {
    this.waitingSince = Number.NaN;
  }

  stop(): void {
    this.waitingSince = Number.NaN;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.timer = undefined;
    const since = this.waitingSince;
    // Not waiting: the consumer holds a chunk, which is no stall; the next wait re-arms.
    if (Number.isNaN(since)) return;
    const waited = this.now() - since;
    if (waited >= this.idleMs) this.onStall();
    else this.timer = setTimeout(this.fire, this.idleMs - waited);
  }
}
