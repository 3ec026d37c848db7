import { describe, expect, it } from 'vitest';
import { circuitBreaker, consecutive, failureRate } from '../../src/core/index.js';
import { boom, ok } from './helpers.js';
import { ManualClock } from '../support/clock.js';

type Breaker = ReturnType<typeof circuitBreaker>;

async function run(breaker: Breaker, pattern: string): Promise<void> {
  for (const step of pattern) {
    if (step === 'S') await breaker.execute(ok);
    else await expect(breaker.execute(boom)).rejects.toThrow('boom');
  }
}

describe('failure-rate trip over a count window', () => {
  const make = (minimumCalls = 4) =>
    circuitBreaker({
      trip: failureRate({ threshold: 0.5, minimumCalls, window: { kind: 'count', size: 6 } }),
      clock: new ManualClock(),
    });

  it('judges nothing before minimumCalls', async () => {
    const breaker = make();
    await run(breaker, 'FFF');
    expect(breaker.state).toBe('closed');
    await run(breaker, 'F');
    expect(breaker.state).toBe('open');
  });

  it('stays closed below the rate and opens at it', async () => {
    const breaker = make();
    await run(breaker, 'SSSSF');
    expect(breaker.state).toBe('closed'); // 1/5
    await run(breaker, 'F'); // 2/6
    expect(breaker.state).toBe('closed');
    await run(breaker, 'F'); // window SSSFFF: 3/6 = 0.5
    expect(breaker.state).toBe('open');
  });

  it('forgets calls older than the last `size`', async () => {
    const breaker = make(6);
    await run(breaker, 'FFSSSS'); // 2/6
    await run(breaker, 'SSSS'); // the two failures roll out
    await run(breaker, 'FF'); // SSSSFF: 2/6 (4/6 had the old ones still counted)
    expect(breaker.state).toBe('closed');
    await run(breaker, 'F'); // SSSFFF
    expect(breaker.state).toBe('open');
  });

  it('rejects minimumCalls larger than the window', () => {
    expect(() => failureRate({ minimumCalls: 20, window: { kind: 'count', size: 10 } })).toThrow(
      /minimumCalls must be ≤ window.size \(10\).*got 20/,
    );
  });
});

describe('failure-rate trip over a time window', () => {
  const make = (clock: ManualClock) =>
    circuitBreaker({
      trip: failureRate({ threshold: 0.5, minimumCalls: 4, window: { kind: 'time', ms: 10_000 } }),
      clock,
    });

  it('failures older than the window stop counting', async () => {
    const clock = new ManualClock(0);
    const breaker = make(clock);
    await run(breaker, 'FFF');
    clock.advance(10_000); // a whole window later: those three no longer count
    await run(breaker, 'SF');
    expect(breaker.state).toBe('closed');
    await run(breaker, 'SS'); // 1 failure in 4
    expect(breaker.state).toBe('closed');
    await run(breaker, 'FF'); // 3 of 6
    expect(breaker.state).toBe('open');
  });

  it('failures within the window still count', async () => {
    const clock = new ManualClock(0);
    const breaker = make(clock);
    await run(breaker, 'FF');
    clock.advance(9_000);
    await run(breaker, 'SS');
    expect(breaker.state).toBe('open');
  });

  it('expires calls bucket by bucket (a 20th of the window)', async () => {
    const clock = new ManualClock(0);
    const breaker = make(clock);
    await run(breaker, 'FF'); // bucket 0
    clock.advance(5_000);
    await run(breaker, 'SS'); // bucket 10: 2 of 4, opens
    expect(breaker.state).toBe('open');

    const later = new ManualClock(0);
    const other = make(later);
    await run(other, 'FF');
    later.advance(5_000);
    await run(other, 'S');
    later.advance(5_000); // bucket 20: bucket 0 has expired, bucket 10 has not
    await run(other, 'SS'); // 0 of 3 counted failures
    expect(other.state).toBe('closed');
    await run(other, 'F'); // 1 of 4
    expect(other.state).toBe('closed');
  });
});

describe('slow-call rate', () => {
  it('opens when the share of slow calls reaches its threshold, even when they succeed', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({
      trip: failureRate({
        threshold: 0.5,
        minimumCalls: 4,
        window: { kind: 'count', size: 10 },
        slowCall: { ms: 100, rateThreshold: 0.75 },
      }),
      clock,
    });
    const slow = (): Promise<string> => {
      clock.advance(101);
      return Promise.resolve('slow');
    };
    const onTime = (): Promise<string> => {
      clock.advance(100);
      return Promise.resolve('on time');
    };
    await breaker.execute(slow);
    await breaker.execute(onTime);
    await breaker.execute(slow);
    await breaker.execute(slow); // 3 of 4 slow = 0.75
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().reason).toBe('slow-calls');
  });

  it('a slow probe reopens the circuit', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({
      trip: failureRate({
        minimumCalls: 1,
        window: { kind: 'count', size: 1 },
        slowCall: { ms: 50, rateThreshold: 1 },
      }),
      openMs: 1_000,
      clock,
    });
    await expect(breaker.execute(boom)).rejects.toThrow();
    clock.advance(1_000);
    await breaker.execute(() => {
      clock.advance(51);
      return 'late';
    });
    expect(breaker.toJSON()).toMatchObject({ state: 'open', reason: 'probe-failed', opens: 2 });
  });
});

describe('window lifecycle', () => {
  it('starts a fresh window after the circuit closes again', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ trip: consecutive(3), openMs: 10, clock });
    await run(breaker, 'FFF');
    clock.advance(10);
    await run(breaker, 'S');
    await run(breaker, 'FF');
    expect(breaker.state).toBe('closed');
  });
});
