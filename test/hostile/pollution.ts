import { expect } from 'vitest';

/** The built-in prototypes a polluting input could write to. */
const watched: readonly [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['Object', Object],
];

const baseline = new Map(watched.map(([name, target]) => [name, Reflect.ownKeys(target).length]));

/** Fails when any watched prototype gained a property since this module loaded. */
export function expectCleanPrototypes(): void {
  for (const [name, target] of watched) {
    expect(Reflect.ownKeys(target).length, `${name} gained a property`).toBe(baseline.get(name));
  }
}
