import { describe, expect, it } from 'vitest';
import { BatchedLines } from '../../src/cli/serve/batched-lines.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BatchedLines', () => {
  it('writes the lines of one turn of the event loop in one write, in order', async () => {
    const writes: string[] = [];
    const lines = new BatchedLines((text) => writes.push(text));
    lines.line('a\n');
    lines.line('b\n');
    expect(writes).toEqual([]);
    await turn();
    lines.line('c\n');
    await turn();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
    lines.close();
  });

  it('writes what is pending when closed, and nothing when nothing is', async () => {
    const writes: string[] = [];
    const lines = new BatchedLines((text) => writes.push(text));
    const listening = process.listenerCount('exit');
    lines.line('last\n');
    lines.close();
    expect(writes).toEqual(['last\n']);
    expect(process.listenerCount('exit')).toBe(listening - 1);
    await turn();
    expect(writes).toEqual(['last\n']);
  });
});
