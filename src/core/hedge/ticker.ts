import { unrefTimer } from '../timers.js';
import type { HedgeTiming } from './scheduler.js';
import { WaiterList, type HedgeWaiter } from './waiter-list.js';

/** A fixed delay is counted in this many ticks (fewer for delays under 8 ms: ticks of 1 ms). */
const TICKS_PER_DELAY = 8;

/**
 * Times the hedges of a fixed delay without reading the clock per call (BENCHMARKS.md "hedge,
 * primary answers first"). One timer ticks
 * every eighth of the delay while calls wait, and a call's next hedge is due once enough
 * ticks have passed since its attempt started: as many as the delay holds when the attempt
 * starts on a tick (the first call after an idle spell starts the ticking, and hedges start
 * from within a tick), one more when it starts between two ticks. Timers never fire early,
 * so a hedge never starts before `delayMs`; it may start up to one tick (an eighth of the
 * delay, 1 ms for short delays) later. Tick lengths are whole milliseconds, and any run of
 * a delay's worth of them sums to the delay rounded to the ms.
 *
 * Waiting calls form a FIFO whose due ticks never decrease along it, so linking, unlinking
 * and finding the due ones are O(1) each. (Noting calls in an array instead, to be sorted
 * out at the next tick, measured slower: it keeps settled calls alive until then.) The
 * clock is read once per tick (it stamps the attempts started in that tick, for the
 * `hedge` event's `delayMs`, which so is exact to within a tick) and when the ticking
 * starts. Nothing waiting at a tick: the ticking stops. The timer is unref'd.
 */
export class HedgeTicker implements HedgeTiming {
  private readonly ticks: number;
  /** Due ticks never decrease along the list, so each new waiter goes at its end. */
  private readonly waiters = new WaiterList();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Ticks fired so far. */
  private tick = 0;
  /**
   * When the current tick started, in ms since the ticking started (`origin` on the clock):
   * attempts are stamped with it, and only ever compared with stamps of the same call, made
   * while the ticking went on. Kept small so that it is a small integer V8 stores unboxed
   * (with an integer clock, for about twelve days of ticking without a pause).
   */
  private tickStartedAt = 0;
  private origin = 0;
  /** True while due hedges start from within a tick: their attempts start on a tick. */
  private onTick = false;

  constructor(
    private readonly delayMs: number,
    private readonly now: () => number,
  ) {
    this.ticks = Math.max(1, Math.min(TICKS_PER_DELAY, Math.floor(delayMs)));
  }

  get pending(): number {
    return this.waiters.size;
  }

  begin(waiter: HedgeWaiter, hedgeLeft: boolean): number {
    if (this.onTick) {
      // Started on this tick: the ticks ahead measure its delay exactly.
      if (hedgeLeft) this.waiters.append(waiter, this.tick + this.ticks);
    } else if (this.timer === undefined) {
      // Idle: the ticking starts with this attempt.
      this.origin = this.now();
      this.tickStartedAt = 0;
      this.arm();
      if (hedgeLeft) this.waiters.append(waiter, this.tick + this.ticks);
    } else if (hedgeLeft) {
      // Started between two ticks: the current one does not count.
      this.waiters.append(waiter, this.tick + 1 + this.ticks);
    }
    return this.tickStartedAt;
  }

  unschedule(waiter: HedgeWaiter): void {
    this.waiters.remove(waiter);
  }

  /** The length of the tick after `tick` ticks: whole ms, a delay's worth summing to the delay. */
  private lengthOf(tick: number): number {
    const phase = tick % this.ticks;
    const step = this.delayMs / this.ticks;
    return Math.round((phase + 1) * step) - Math.round(phase * step);
  }

  private arm(): void {
    this.timer = unrefTimer(setTimeout(this.fire, this.lengthOf(this.tick)));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.tick++;
    const { waiters } = this;
    if (waiters.head === undefined) return;
    this.tickStartedAt = this.now() - this.origin;
    this.onTick = true;
    try {
      for (let first = waiters.head; first !== undefined && first.deadline <= this.tick;) {
        waiters.remove(first);
        first.hedgeDue();
        first = waiters.head;
      }
    } finally {
      this.onTick = false;
    }
    if (waiters.head !== undefined) this.arm();
  };
}
