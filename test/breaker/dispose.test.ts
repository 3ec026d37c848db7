import { describe, expect, it, vi } from 'vitest';
import {
  circuitBreaker,
  consecutive,
  memoryStore,
  type CircuitStore,
  type ProbeRelease,
} from '../../src/core/index.js';
import { boom, ok } from './helpers.js';
import { ManualClock } from '../support/clock.js';
import { deferred } from '../support/promises.js';

describe('breaker.dispose()', () => {
  it('detaches the breaker from its store: peers stop sharing with it, and it keeps deciding on its own', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const options = { name: 'svc', trip: consecutive(1), openMs: 1_000, store, clock };
    const a = circuitBreaker(options);
    const b = circuitBreaker(options);
    a.isolate();
    expect(b.state).toBe('isolated');
    b.reset();
    expect(a.state).toBe('closed');

    a.dispose();
    a.dispose(); // idempotent
    b.isolate();
    expect(a.state).toBe('closed'); // no longer adopts
    await expect(a.execute(boom)).rejects.toThrow('boom');
    expect(a.state).toBe('open'); // decides locally
    expect(b.toJSON()).toMatchObject({ state: 'isolated' }); // and tells nobody
    clock.advance(1_000);
    await expect(a.execute(ok)).resolves.toBe('ok');
    expect(a.state).toBe('closed');
  });

  it('a call in flight when the breaker is disposed settles normally', async () => {
    const detach = vi.fn();
    const outcomes = vi.fn();
    const store: CircuitStore = {
      attach: () => ({ recordOutcome: outcomes, recordTransition: () => undefined, detach }),
      close: () => Promise.resolve(),
    };
    const breaker = circuitBreaker({ name: 'svc', store });
    const gate = deferred();
    const call = breaker.execute(() => gate.promise);
    breaker.dispose();
    expect(detach).toHaveBeenCalledTimes(1);
    gate.resolve('late');
    await expect(call).resolves.toBe('late');
    expect(outcomes).not.toHaveBeenCalled(); // the store no longer hears of it
  });

  it('is a no-op without a store, and a store whose detach throws does not throw', () => {
    expect(() => circuitBreaker().dispose()).not.toThrow();
    const store: CircuitStore = {
      attach: () => ({
        recordTransition: () => undefined,
        detach: () => {
          throw new Error('store bug');
        },
      }),
      close: () => Promise.resolve(),
    };
    expect(() => circuitBreaker({ name: 'svc', store }).dispose()).not.toThrow();
  });
});

describe('memoryStore and disposed breakers', () => {
  it('forgets a name whose last breaker left closed, and keeps an open one for the next breaker', async () => {
    const store = memoryStore();
    const clock = new ManualClock();
    const options = { trip: consecutive(1), openMs: 60_000, store, clock };
    const closed = circuitBreaker({ name: 'quiet', ...options });
    closed.isolate();
    closed.reset();
    const open = circuitBreaker({ name: 'down', ...options });
    await expect(open.execute(boom)).rejects.toThrow();
    closed.dispose();
    open.dispose();
    expect(circuitBreaker({ name: 'quiet', ...options }).toJSON()).toMatchObject({
      state: 'closed',
      version: 0,
      reason: 'created',
    });
    expect(circuitBreaker({ name: 'down', ...options }).toJSON()).toMatchObject({
      state: 'open',
      reason: 'failures',
    });
  });

  it('keeps the name while another breaker of it is attached', () => {
    const store = memoryStore();
    const first = circuitBreaker({ name: 'svc', store });
    const second = circuitBreaker({ name: 'svc', store });
    first.isolate();
    first.reset();
    first.dispose();
    second.isolate();
    const third = circuitBreaker({ name: 'svc', store });
    expect(third.state).toBe('isolated');
  });
});

describe('probe release carries the outcome', () => {
  it.each([
    ['a success', () => Promise.resolve('ok'), true],
    ['a failure', boom, false],
  ])('%s', async (_, fn, succeeded) => {
    const release = vi.fn<ProbeRelease>();
    const store: CircuitStore = {
      attach: () => ({
        recordTransition: () => undefined,
        claimProbe: () => Promise.resolve(release),
      }),
      close: () => Promise.resolve(),
    };
    const clock = new ManualClock();
    const breaker = circuitBreaker({ name: 'svc', trip: consecutive(1), openMs: 10, store, clock });
    await expect(breaker.execute(boom)).rejects.toThrow();
    clock.advance(10);
    await breaker.execute(fn).catch(() => undefined);
    expect(release.mock.calls).toEqual([[succeeded]]);
  });
});
