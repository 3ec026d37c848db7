/** How many times per `idleMs` the timer looks: a stall is reported within a quarter more. */
const LOOKS_PER_LIMIT = 4;

/** The stream a `StallTimer` watches. */
export interface StallWatched {
  /** The wait for a chunk on now (waits are numbered by the chunks delivered before them), or -1 while none is. */
  currentWait(): number;
  /** The same wait went on for `idleMs`. */
  stalled(idleMs: number): void;
}

/**
 * The idle deadline of one stream with a single timer and nothing done per chunk beyond one
 * check (BENCHMARKS.md "an empty async generator (nothing per chunk)"): the timer ticks every
 * quarter of `idleMs` while a wait is on, asks the stream which wait that is, and reports a
 * stall once the same wait has been seen for four ticks in a row, that is for at least
 * `idleMs` (and at most `idleMs` + a quarter). Between waits (the consumer holds a chunk,
 * which is no stall) the timer stops; the next wait starts it again.
 */
export class StallTimer {
  private readonly tickMs: number;
  private watchedWait = -1;
  private ticksSeen = 0;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly tick = (): void => this.look();

  constructor(
    private readonly idleMs: number,
    private readonly watched: StallWatched,
  ) {
    this.tickMs = idleMs / LOOKS_PER_LIMIT;
  }

  /** The wait `wait` begins; the timer starts unless it runs already. */
  waiting(wait: number): void {
    if (this.timer !== undefined) return;
    // Armed as the wait begins: the ticks count from its start.
    this.watchedWait = wait;
    this.ticksSeen = 0;
    this.timer = setTimeout(this.tick, this.tickMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private look(): void {
    this.timer = undefined;
    const wait = this.watched.currentWait();
    if (wait === -1) return;
    if (wait !== this.watchedWait) {
      // A newer wait: it began after the previous tick, so its ticks start now.
      this.watchedWait = wait;
      this.ticksSeen = 0;
    } else if (++this.ticksSeen >= LOOKS_PER_LIMIT) {
      this.watched.stalled(this.idleMs);
      return;
    }
    this.timer = setTimeout(this.tick, this.tickMs);
  }
}
