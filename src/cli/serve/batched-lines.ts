/**
 * Log lines written together, once per turn of the event loop: the gateway logs a line per
 * request, and under load one write of the turn's lines is one system call instead of one per
 * request (the rows of BENCHMARKS.md "The gateway"). A line waits at most until the loop turns;
 * what is pending when the process exits (a crash included) is written then.
 */
export class BatchedLines {
  private pending = '';
  private scheduled = false;
  private readonly flushNow = (): void => this.flush();

  constructor(private readonly write: (text: string) => void) {
    process.on('exit', this.flushNow);
  }

  readonly line = (text: string): void => {
    this.pending += text;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushNow);
  };

  flush(): void {
    this.scheduled = false;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.write(text);
  }

  /** Writes what is pending and stops listening for the process's exit. */
  close(): void {
    this.flush();
    process.off('exit', this.flushNow);
  }
}
