/**
 * Progress on stderr: a bar redrawn in place on a terminal; elsewhere (a CI log, a pipe) one
 * plain line every few seconds, so a log shows the run is alive without filling up.
 */
export interface Progress {
  update(label: string, elapsedS: number, totalS: number, answered: number): void;
  done(): void;
}

const WIDTH = 30;
const PLAIN_EVERY_S = 5;

export function progressBar(stream: { isTTY?: boolean; write(text: string): unknown }): Progress {
  if (stream.isTTY !== true) {
    let lastLine = -Infinity;
    return {
      update(label, elapsedS, totalS, answered) {
        if (elapsedS - lastLine < PLAIN_EVERY_S && elapsedS < totalS) return;
        lastLine = elapsedS;
        stream.write(`${label}: ${Math.floor(elapsedS)}/${totalS} s, ${answered} answered\n`);
      },
      done: () => undefined,
    };
  }
  let drawn = false;
  return {
    update(label, elapsedS, totalS, answered) {
      const share = Math.min(1, elapsedS / totalS);
      const filled = Math.round(share * WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
      stream.write(
        `\r${label.padEnd(8)} ${bar} ${Math.floor(elapsedS)}/${totalS} s, ${answered} answered`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
