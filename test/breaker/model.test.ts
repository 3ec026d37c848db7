import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  consecutive,
  failureRate,
  isCircuitOpenError,
  TransientError,
  type CircuitState,
  type TripStrategy,
} from '../../src/core/index.js';
import { ManualClock } from '../support/clock.js';

/** The breaker as a few lines of obviously-correct code, to compare the real one against. */
type Trip =
  | { kind: 'consecutive'; threshold: number }
  | {
      kind: 'rate';
      threshold: number;
      minimumCalls: number;
      window: { kind: 'count'; size: number } | { kind: 'time'; ms: number };
      slow?: { ms: number; rate: number };
    };

interface Config {
  trip: Trip;
  openMs: number;
  growing: boolean;
  successesToClose: number;
}

type Command =
  | { op: 'call'; fails: boolean; ms: number }
  | { op: 'advance'; ms: number }
  | { op: 'isolate' | 'reset' | 'disable' | 'enable' };

class Model {
  state: CircuitState = 'closed';
  openUntil: number | null = null;
  opens = 0;
  private successes = 0;
  private calls: { at: number; failure: boolean; slow: boolean }[] = [];

  constructor(
    private readonly config: Config,
    public now: number,
  ) {}

  private openMs(): number {
    return this.config.growing ? this.config.openMs * 2 ** (this.opens - 1) : this.config.openMs;
  }

  private slowMs(): number {
    const trip = this.config.trip;
    return trip.kind === 'rate' && trip.slow ? trip.slow.ms : Infinity;
  }

  private open(): void {
    this.state = 'open';
    this.opens++;
    this.openUntil = this.now + this.openMs();
    this.calls = [];
  }

  private close(): void {
    this.state = 'closed';
    this.opens = 0;
    this.openUntil = null;
    this.calls = [];
  }

  /** Whether the window says "open" after recording a call. */
  private trips(): boolean {
    const trip = this.config.trip;
    if (trip.kind === 'consecutive') {
      let run = 0;
      for (const call of this.calls) run = call.failure ? run + 1 : 0;
      return run >= trip.threshold;
    }
    let counted = this.calls;
    if (trip.window.kind === 'count') counted = counted.slice(-trip.window.size);
    else {
      const bucketMs = Math.max(1, Math.ceil(trip.window.ms / 20));
      const buckets = Math.ceil(trip.window.ms / bucketMs);
      const newest = Math.floor(this.now / bucketMs);
      counted = counted.filter((c) => newest - Math.floor(c.at / bucketMs) < buckets);
    }
    const total = counted.length;
    if (total < trip.minimumCalls) return false;
    const failures = counted.filter((c) => c.failure).length;
    const slow = counted.filter((c) => c.slow).length;
    return (
      failures / total >= trip.threshold ||
      (trip.slow !== undefined && slow / total >= trip.slow.rate)
    );
  }

  /** Returns whether the function ran. */
  call(fails: boolean, ms: number): boolean {
    if (this.state === 'isolated') return false;
    if (this.state === 'open') {
      if (this.now < (this.openUntil ?? Infinity)) return false;
      this.state = 'half-open';
      this.successes = 0;
    }
    this.now += ms;
    const slow = ms > this.slowMs();
    if (this.state === 'half-open') {
      if (fails || slow) this.open();
      else if (++this.successes >= this.config.successesToClose) this.close();
      return true;
    }
    this.calls.push({ at: this.now, failure: fails, slow });
    if (this.trips() && this.state === 'closed') this.open();
    return true;
  }

  command(op: 'isolate' | 'reset' | 'disable' | 'enable'): void {
    const keepsWindow = this.state === 'closed' || this.state === 'disabled';
    if (op === 'reset') return this.close();
    if (op === 'enable') {
      // Closing ends the run of opens, but keeps the calls counted while disabled.
      if (this.state === 'disabled') [this.state, this.opens] = ['closed', 0];
      return;
    }
    const to = op === 'isolate' ? 'isolated' : 'disabled';
    if (this.state === to) return;
    if (!(keepsWindow && to === 'disabled')) this.calls = [];
    this.state = to;
    this.openUntil = null;
  }
}

const tripArb: fc.Arbitrary<Trip> = fc.oneof(
  fc.record({
    kind: fc.constant('consecutive' as const),
    threshold: fc.integer({ min: 1, max: 4 }),
  }),
  fc
    .record({
      kind: fc.constant('rate' as const),
      threshold: fc.constantFrom(0.25, 0.5, 0.75, 1),
      minimumCalls: fc.integer({ min: 1, max: 5 }),
      window: fc.oneof(
        fc.record({ kind: fc.constant('count' as const), size: fc.integer({ min: 5, max: 8 }) }),
        fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(100, 1_000, 7) }),
      ),
      slow: fc.option(fc.record({ ms: fc.constantFrom(10, 50), rate: fc.constantFrom(0.5, 1) }), {
        nil: undefined,
      }),
    })
    .map((trip) => {
      const { slow, ...rest } = trip;
      return slow === undefined ? rest : { ...rest, slow };
    }),
);

const configArb: fc.Arbitrary<Config> = fc.record({
  trip: tripArb,
  openMs: fc.constantFrom(0, 30, 500),
  growing: fc.boolean(),
  successesToClose: fc.integer({ min: 1, max: 3 }),
});

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant('call' as const),
      fails: fc.boolean(),
      ms: fc.constantFrom(0, 0, 5, 20, 60),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      // Small steps walk across bucket and window edges; large ones across open times.
      ms: fc.oneof(
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom(95, 100, 105),
        fc.integer({ min: 1, max: 700 }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'isolate' as const,
        'reset' as const,
        'disable' as const,
        'enable' as const,
      ),
    }),
  },
);

function strategyOf(trip: Trip): TripStrategy {
  if (trip.kind === 'consecutive') return consecutive(trip.threshold);
  return failureRate({
    threshold: trip.threshold,
    minimumCalls: Math.min(
      trip.minimumCalls,
      trip.window.kind === 'count' ? trip.window.size : Infinity,
    ),
    window: trip.window,
    ...(trip.slow ? { slowCall: { ms: trip.slow.ms, rateThreshold: trip.slow.rate } } : {}),
  });
}

describe('the breaker against a reference model', () => {
  it('random successes, failures, slow calls, clock advances and commands give the same states', async () => {
    await fc.assert(
      fc.asyncProperty(
        configArb,
        fc.array(commandArb, { maxLength: 80 }),
        async (config, commands) => {
          if (config.trip.kind === 'rate' && config.trip.window.kind === 'count') {
            config.trip.minimumCalls = Math.min(config.trip.minimumCalls, config.trip.window.size);
          }
          const clock = new ManualClock(0);
          const model = new Model(config, clock.time);
          const breaker = circuitBreaker({
            trip: strategyOf(config.trip),
            openMs: config.growing ? (opens) => config.openMs * 2 ** (opens - 1) : config.openMs,
            halfOpen: { maxCalls: 1, successesToClose: config.successesToClose },
            clock,
          });
          for (const command of commands) {
            if (command.op === 'advance') {
              clock.advance(command.ms);
              model.now += command.ms;
            } else if (command.op === 'call') {
              let ran = false;
              const result = await breaker
                .execute(() => {
                  ran = true;
                  clock.advance(command.ms);
                  return command.fails ? Promise.reject(new TransientError('x')) : 'ok';
                })
                .then(
                  () => 'ok',
                  (error: unknown) => (isCircuitOpenError(error) ? 'rejected' : 'failed'),
                );
              const modelRan = model.call(command.fails, command.ms);
              expect(ran).toBe(modelRan);
              expect(result).toBe(modelRan ? (command.fails ? 'failed' : 'ok') : 'rejected');
            } else {
              breaker[command.op]();
              model.command(command.op);
            }
            const snapshot = breaker.toJSON();
            expect(snapshot.state).toBe(model.state);
            expect(snapshot.opens).toBe(model.opens);
            if (model.state === 'open' || model.state === 'half-open') {
              expect(snapshot.openUntil).toBe(model.openUntil);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
