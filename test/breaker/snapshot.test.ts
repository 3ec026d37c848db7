import { describe, expect, it, vi } from 'vitest';
import {
  CircuitOpenError,
  circuitBreaker,
  consecutive,
  memoryStore,
  type CircuitSnapshot,
} from '../../src/core/index.js';
import { boom, ok, outcome } from './helpers.js';
import { ManualClock } from '../support/clock.js';

describe('toJSON and initialState', () => {
  it('is plain data that survives JSON', async () => {
    const clock = new ManualClock(5_000);
    const breaker = circuitBreaker({ name: 'db', trip: consecutive(1), openMs: 30_000, clock });
    expect(breaker.toJSON()).toEqual({
      name: 'db',
      state: 'closed',
      version: 0,
      reason: 'created',
      since: 5_000,
      openUntil: null,
      opens: 0,
    });
    await expect(breaker.execute(boom)).rejects.toThrow();
    const json = JSON.parse(JSON.stringify(breaker)) as CircuitSnapshot;
    expect(json).toEqual({
      name: 'db',
      state: 'open',
      version: 1,
      reason: 'failures',
      since: 5_000,
      openUntil: 35_000,
      opens: 1,
    });
  });

  it('a restored open breaker stays open for the rest of its open time, then probes', async () => {
    const clock = new ManualClock(0);
    const before = circuitBreaker({ name: 'db', trip: consecutive(1), openMs: 30_000, clock });
    await expect(before.execute(boom)).rejects.toThrow();
    const saved = JSON.parse(JSON.stringify(before.toJSON())) as CircuitSnapshot;

    clock.advance(10_000); // a restart later
    const after = circuitBreaker({
      name: 'db',
      trip: consecutive(1),
      openMs: 30_000,
      clock,
      initialState: saved,
    });
    expect(after.state).toBe('open');
    expect(after.toJSON()).toEqual(saved);
    const fn = vi.fn(ok);
    const { error } = await outcome(after, fn);
    expect((error as CircuitOpenError).retryAfterMs).toBe(20_000);
    expect(fn).not.toHaveBeenCalled();
    clock.advance(20_000);
    await expect(after.execute(fn)).resolves.toBe('ok');
    expect(after.toJSON()).toMatchObject({ state: 'closed', version: 3 });
  });

  it('round-trips every state', () => {
    const clock = new ManualClock();
    for (const act of ['isolate', 'disable', 'reset'] as const) {
      const breaker = circuitBreaker({ clock });
      breaker[act]();
      const copy = circuitBreaker({ clock, initialState: breaker.toJSON() });
      expect(copy.toJSON()).toEqual(breaker.toJSON());
      expect(copy.state).toBe(breaker.state);
    }
  });

  it('refuses an initialState that is not a snapshot', () => {
    expect(() => circuitBreaker({ initialState: { state: 'open' } as never })).toThrow(
      /initialState is not a breaker snapshot/,
    );
    const open = {
      name: 'x',
      state: 'open',
      version: 1,
      reason: 'failures',
      since: 0,
      openUntil: null,
      opens: 1,
    };
    expect(() => circuitBreaker({ initialState: open as never })).toThrow(TypeError);
  });
});

describe('memoryStore', () => {
  it('shares state between breakers of the same name and resumes it in a new one', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const a = circuitBreaker({ name: 'api', trip: consecutive(1), store, clock });
    const b = circuitBreaker({ name: 'api', trip: consecutive(1), store, clock });
    const other = circuitBreaker({ name: 'other', trip: consecutive(1), store, clock });
    await expect(a.execute(boom)).rejects.toThrow();
    expect(b.state).toBe('open');
    expect(other.state).toBe('closed');
    const c = circuitBreaker({ name: 'api', trip: consecutive(1), store, clock });
    expect(c.toJSON()).toEqual(a.toJSON());
    c.reset();
    expect([a.state, b.state]).toEqual(['closed', 'closed']);
    await store.close();
    a.isolate();
    expect(b.state).toBe('closed');
  });

  it('a breaker restored from a newer snapshot wins over the store', () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const first = circuitBreaker({ name: 'api', store, clock });
    const newer: CircuitSnapshot = {
      ...first.toJSON(),
      version: 7,
      state: 'isolated',
      reason: 'isolate',
    };
    const second = circuitBreaker({ name: 'api', store, clock, initialState: newer });
    expect(second.state).toBe('isolated');
    const third = circuitBreaker({ name: 'api', store, clock });
    expect(third.state).toBe('isolated');
  });

  it('requires a name with a store', () => {
    expect(() => circuitBreaker({ store: memoryStore() })).toThrow(/name is required with a store/);
  });
});
