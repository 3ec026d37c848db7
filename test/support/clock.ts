/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public time = 0) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}
