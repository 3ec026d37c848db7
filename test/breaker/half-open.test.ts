import { describe, expect, it, vi } from 'vitest';
import {
  CircuitOpenError,
  circuitBreaker,
  consecutive,
  type CircuitStore,
  type ProbeRelease,
  type StoredCircuit,
} from '../../src/core/index.js';
import { boom } from './helpers.js';
import { ManualClock } from '../support/clock.js';
import { deferred } from '../support/promises.js';

async function halfOpenBreaker(maxCalls: number, store?: CircuitStore) {
  const clock = new ManualClock();
  const breaker = circuitBreaker({
    name: 'probe',
    trip: consecutive(1),
    openMs: 1_000,
    halfOpen: { maxCalls, successesToClose: maxCalls },
    clock,
    ...(store === undefined ? {} : { store }),
  });
  await expect(breaker.execute(boom)).rejects.toThrow();
  clock.advance(1_000);
  return { clock, breaker };
}

describe('half-open probes', () => {
  it.each([1, 3])(
    '100 concurrent callers: exactly maxCalls (%i) reach the function',
    async (maxCalls) => {
      const { breaker } = await halfOpenBreaker(maxCalls);
      const gate = deferred();
      const fn = vi.fn(() => gate.promise);
      const calls = Array.from({ length: 100 }, () => breaker.execute(fn));
      expect(fn).toHaveBeenCalledTimes(maxCalls);
      gate.resolve('ok');
      const results = await Promise.allSettled(calls);
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(maxCalls);
      expect(rejected).toHaveLength(100 - maxCalls);
      for (const r of rejected) expect(r.reason).toBeInstanceOf(CircuitOpenError);
      expect(breaker.state).toBe('closed');
    },
  );

  it('a probe that settles after another probe failed does not close the circuit', async () => {
    const { breaker } = await halfOpenBreaker(2);
    const first = deferred();
    const second = deferred();
    const a = breaker.execute(() => first.promise);
    const b = breaker.execute(() => second.promise);
    first.reject(new Error('down'));
    await expect(a).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    second.resolve('ok');
    await expect(b).resolves.toBe('ok');
    expect(breaker.state).toBe('open');
  });

  it('an excluded error frees the probe slot without deciding', async () => {
    const { breaker } = await halfOpenBreaker(1);
    const { PermanentError } = await import('../../src/core/index.js');
    await expect(
      breaker.execute(() => Promise.reject(new PermanentError('404'))),
    ).rejects.toThrow();
    expect(breaker.state).toBe('half-open');
    await breaker.execute(() => 'ok');
    expect(breaker.state).toBe('closed');
  });
});

/** A store whose fleet-wide probe claims the test grants or refuses by hand. */
function claimingStore(slots: number) {
  let free = slots;
  const pending: (() => void)[] = [];
  const released = vi.fn();
  const store: CircuitStore = {
    attach: () => ({
      recordTransition: () => undefined,
      claimProbe: () =>
        new Promise<ProbeRelease | undefined>((resolve) => {
          pending.push(() => {
            if (free === 0) return resolve(undefined);
            free--;
            resolve(() => {
              free++;
              released();
            });
          });
        }),
    }),
    close: () => Promise.resolve(),
  };
  const answerAll = (): void => {
    for (const answer of pending.splice(0)) answer();
  };
  return { store, answerAll, released };
}

describe('fleet-wide probe claims', () => {
  it('runs a probe only once the store grants the claim, and releases it when the probe settles', async () => {
    const { store, answerAll, released } = claimingStore(1);
    const { breaker } = await halfOpenBreaker(3, store);
    const gate = deferred();
    const fn = vi.fn(() => gate.promise);
    const settled = Promise.allSettled(Array.from({ length: 10 }, () => breaker.execute(fn)));
    // Three local slots asked the fleet; the other seven were rejected at once.
    expect(fn).not.toHaveBeenCalled();
    answerAll();
    await vi.waitFor(() => expect(fn).toHaveBeenCalledTimes(1));
    gate.resolve('ok');
    const results = await settled;
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(released).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('half-open'); // 1 of 3 successes needed
  });

  it('goes by the local decision when the claim rejects', async () => {
    const store: CircuitStore = {
      attach: () => ({
        recordTransition: () => undefined,
        claimProbe: () => Promise.reject(new Error('redis down')),
      }),
      close: () => Promise.resolve(),
    };
    const { breaker } = await halfOpenBreaker(1, store);
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('hands the claim back when the circuit moved on while it was pending', async () => {
    const { store, answerAll, released } = claimingStore(1);
    const { breaker } = await halfOpenBreaker(1, store);
    const fn = vi.fn(() => 'ok');
    const call = breaker.execute(fn);
    breaker.isolate();
    answerAll();
    await expect(call).rejects.toMatchObject({ state: 'isolated' });
    expect(fn).not.toHaveBeenCalled();
    expect(released).toHaveBeenCalledTimes(1);
  });

  it('rejects with the abort reason when the caller aborted while the claim was pending', async () => {
    const { store, answerAll, released } = claimingStore(1);
    const { breaker } = await halfOpenBreaker(1, store);
    const controller = new AbortController();
    const fn = vi.fn(() => 'ok');
    const call = breaker.execute(fn, controller.signal);
    controller.abort(new Error('caller left'));
    answerAll();
    await expect(call).rejects.toThrow('caller left');
    expect(fn).not.toHaveBeenCalled();
    expect(released).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('half-open');
    // The slot was handed back: the next caller probes.
    const next = breaker.execute(fn);
    answerAll();
    await expect(next).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('closed');
  });
});

describe('a store attached to the breaker', () => {
  it('receives outcomes and versioned transitions, and may push newer state back', async () => {
    const outcomes: [boolean, boolean][] = [];
    const transitions: { version: number; state: string; from: string }[] = [];
    let circuit: StoredCircuit | undefined;
    const store: CircuitStore = {
      attach(c) {
        circuit = c;
        return {
          recordOutcome: (failure, slow) => outcomes.push([failure, slow]),
          recordTransition: (snapshot, from) =>
            transitions.push({ version: snapshot.version, state: snapshot.state, from }),
        };
      },
      close: () => Promise.resolve(),
    };
    const clock = new ManualClock();
    const breaker = circuitBreaker({ name: 'shared', trip: consecutive(2), store, clock });
    expect(circuit?.name).toBe('shared');
    expect(circuit?.settings.trip).toEqual({ kind: 'consecutive', threshold: 2 });
    expect(circuit?.settings.openMs(3)).toBe(60_000);
    await breaker.execute(() => 1);
    await expect(breaker.execute(boom)).rejects.toThrow();
    await expect(breaker.execute(boom)).rejects.toThrow();
    expect(outcomes).toEqual([
      [false, false],
      [true, false],
      [true, false],
    ]);
    expect(transitions).toEqual([{ version: 1, state: 'open', from: 'closed' }]);

    const changes: unknown[] = [];
    breaker.onStateChange((change) => void changes.push(change));
    // An older or identical snapshot is ignored; a newer one is adopted without an echo.
    expect(
      circuit?.adopt({ ...breaker.toJSON(), version: 0, state: 'closed', openUntil: null }),
    ).toBe(false);
    expect(circuit?.adopt(breaker.toJSON())).toBe(false);
    const closedElsewhere = {
      ...breaker.toJSON(),
      version: 2,
      state: 'closed' as const,
      openUntil: null,
      opens: 0,
      reason: 'probes-succeeded' as const,
    };
    expect(circuit?.adopt(closedElsewhere)).toBe(true);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([
      { from: 'open', to: 'closed', reason: 'probes-succeeded', remote: true },
    ]);
    expect(transitions).toHaveLength(1);
    // A tie on the version is settled by the store: its copy wins.
    const isolatedTie = {
      ...closedElsewhere,
      state: 'isolated' as const,
      reason: 'isolate' as const,
    };
    expect(circuit?.adopt(isolatedTie)).toBe(true);
    expect(breaker.state).toBe('isolated');
    // Garbage from a store is refused.
    expect(circuit?.adopt({ nonsense: true } as never)).toBe(false);
    // The next local transition continues from the adopted version.
    breaker.reset();
    expect(transitions.at(-1)).toEqual({ version: 3, state: 'closed', from: 'isolated' });
  });

  it('a store that throws never fails a call', async () => {
    const store: CircuitStore = {
      attach: () => ({
        recordOutcome: () => {
          throw new Error('store outcome');
        },
        recordTransition: () => {
          throw new Error('store transition');
        },
      }),
      close: () => Promise.resolve(),
    };
    const breaker = circuitBreaker({
      name: 'x',
      trip: consecutive(1),
      store,
      clock: new ManualClock(),
    });
    await expect(breaker.execute(() => 'fine')).resolves.toBe('fine');
    await expect(breaker.execute(boom)).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
  });
});
