/** How many times per `idleMs` the timer looks: a stall is reported within a quarter more. */
const LOOKS_PER_LIMIT = 4;

/**
 * The idle deadline of one stream with a single timer and no clock read per chunk
 * (BENCHMARKS.md "an empty async generator (nothing per chunk)"): each
 * wait for a chunk only bumps a counter; the timer ticks every quarter of `idleMs` while a
 * wait is on, and reports a stall once the same wait has been seen for four ticks in a row,
 * that is for at least `idleMs` (and at most `idleMs` + a quarter). Between waits (the
 * consumer holds a chunk, which is no stall) the timer stops; the next wait starts it again.
 */
export class StallTimer {
  private readonly tickMs: number;
  private waits = 0;
  private waiting = false;
  private watchedWait = -1;
  private ticksSeen = 0;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly tick = (): void => this.look();

  constructor(
    idleMs: number,
    private readonly onStall: () => void,
  ) {
    this.tickMs = idleMs / LOOKS_PER_LIMIT;
  }

  /** A wait for the next chunk begins. */
  started(): void {
    this.waits++;
    this.waiting = true;
    if (this.timer !== undefined) return;
    // Armed as the wait begins: the ticks count from its start.
    this.watchedWait = this.waits;
    this.ticksSeen = 0;
    this.timer = setTimeout(this.tick, this.tickMs);
  }

  /** The chunk arrived (or the wait ended otherwise). */
  ended(): void {
    this.waiting = false;
  }

  stop(): void {
    this.waiting = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private look(): void {
    this.timer = undefined;
    if (!this.waiting) return;
    if (this.waits !== this.watchedWait) {
      // A newer wait: it began after the previous tick, so its ticks start now.
      this.watchedWait = this.waits;
      this.ticksSeen = 0;
    } else if (++this.ticksSeen >= LOOKS_PER_LIMIT) {
      this.onStall();
      return;
    }
    this.timer = setTimeout(this.tick, this.tickMs);
  }
}
