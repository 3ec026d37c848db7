import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackgroundRecovery,
  CapabilityUpgrade,
  HealthProbe,
  type CapabilityState,
  type RecoveryState,
} from '../../src/core/index.js';
import { flush } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const RUNS = { numRuns: 150 };

describe('HealthProbe state machine (property)', () => {
  type Step = 'pass' | 'fail' | 'throw' | 'timeout' | 'reset';
  const step = fc.constantFrom<Step>('pass', 'fail', 'throw', 'timeout', 'reset');

  it('matches a model: failures, unhealthy flag and alternating callbacks, once per flip', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(step, { maxLength: 40 }),
        async (threshold, steps) => {
          let next: Step = 'pass';
          const flips: string[] = [];
          const probe = new HealthProbe({
            check: () => {
              if (next === 'throw') throw new Error('down');
              if (next === 'timeout') return new Promise<boolean>(() => undefined);
              return Promise.resolve(next === 'pass');
            },
            cacheTtlMs: 0,
            timeoutMs: 50,
            unhealthyThreshold: threshold,
            onUnhealthy: () => void flips.push('unhealthy'),
            onHealthy: () => void flips.push('healthy'),
          });
          let failures = 0;
          let unhealthy = false;
          let expectedFlips = 0;
          for (const s of steps) {
            if (s === 'reset') {
              probe.reset();
              failures = 0;
              unhealthy = false;
            } else {
              next = s;
              const answer = probe.check();
              if (s === 'timeout') await vi.advanceTimersByTimeAsync(50);
              expect(await answer).toBe(s === 'pass');
              if (s === 'pass') {
                failures = 0;
                if (unhealthy) expectedFlips++;
                unhealthy = false;
              } else {
                failures++;
                if (!unhealthy && failures >= threshold) {
                  unhealthy = true;
                  expectedFlips++;
                }
              }
            }
            expect(probe.consecutiveFailures).toBe(failures);
            expect(probe.isUnhealthy).toBe(unhealthy);
            expect(flips).toHaveLength(expectedFlips);
          }
          // Between resets the callbacks alternate, unhealthy first; a reset may cut a pair short.
          flips.forEach((flip, i) => {
            if (flip === 'healthy') expect(flips[i - 1]).toBe('unhealthy');
          });
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      RUNS,
    );
  });
});

describe('BackgroundRecovery state machine (property)', () => {
  type Command = { kind: 'start' | 'stop' | 'resume' | 'notify' } | { kind: 'advance'; ms: number };
  const command = fc.oneof(
    fc.constantFrom<Command>(
      { kind: 'start' },
      { kind: 'stop' },
      { kind: 'resume' },
      { kind: 'notify' },
    ),
    fc.integer({ min: 0, max: 3_000 }).map((ms): Command => ({ kind: 'advance', ms })),
  );
  const allowed: Record<RecoveryState, readonly RecoveryState[]> = {
    idle: ['recovering'],
    recovering: ['succeeded', 'paused', 'idle'],
    paused: ['recovering', 'idle'],
    succeeded: ['recovering'],
  };

  it('moves only along allowed transitions, keeps its budget, and leaves no timer when not recovering', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          baseDelayMs: fc.integer({ min: 1, max: 500 }),
          jitter: fc.double({ min: 0, max: 1, noNaN: true }),
          speedupFactor: fc.double({ min: 0, max: 1, noNaN: true }),
          maxAttempts: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(Infinity)),
          maxTotalMs: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.constant(Infinity)),
        }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        fc.array(command, { maxLength: 30 }),
        async (options, answers, commands) => {
          let call = 0;
          const violations: string[] = [];
          const recovery: BackgroundRecovery = new BackgroundRecovery({
            ...options,
            maxDelayMs: 2_000,
            random: () => 0.5,
            recover: () => {
              if (recovery.state !== 'recovering') violations.push(`attempt in ${recovery.state}`);
              return Promise.resolve(answers[call++ % answers.length] === true);
            },
          });
          let successes = 0;
          let pauses = 0;
          recovery.onStateChange(({ from, to }) => {
            if (!allowed[from].includes(to)) violations.push(`${from} → ${to}`);
            if (to === 'succeeded') successes++;
            if (to === 'paused') pauses++;
          });
          const onSuccess = vi.fn();
          const onPaused = vi.fn();
          recovery.onSuccess(onSuccess);
          recovery.onPaused(onPaused);
          for (const c of commands) {
            if (c.kind === 'start') recovery.start();
            else if (c.kind === 'resume') recovery.resume();
            else if (c.kind === 'notify') recovery.notifyConditionsChanged();
            else if (c.kind === 'stop') {
              await recovery.stop();
              expect(['idle', 'succeeded']).toContain(recovery.state);
            } else if (c.kind === 'advance') await vi.advanceTimersByTimeAsync(c.ms);
            await flush();
            expect(recovery.attempts).toBeLessThanOrEqual(options.maxAttempts);
            if (recovery.state !== 'recovering') expect(vi.getTimerCount()).toBe(0);
          }
          await recovery.stop();
          expect(vi.getTimerCount()).toBe(0);
          const calls = call;
          await vi.advanceTimersByTimeAsync(10_000);
          expect(call).toBe(calls);
          expect(violations).toEqual([]);
          expect(onSuccess).toHaveBeenCalledTimes(successes);
          expect(onPaused).toHaveBeenCalledTimes(pauses);
        },
      ),
      RUNS,
    );
  });
});

describe('CapabilityUpgrade state machine (property)', () => {
  type Command =
    | { kind: 'tryUpgrade' | 'downgrade' | 'stopMonitoring' }
    | { kind: 'available'; value: boolean }
    | { kind: 'startMonitoring'; intervalMs: number }
    | { kind: 'advance'; ms: number };
  const command = fc.oneof(
    {
      arbitrary: fc.constantFrom<Command>({ kind: 'tryUpgrade' }, { kind: 'downgrade' }),
      weight: 4,
    },
    { arbitrary: fc.constant<Command>({ kind: 'stopMonitoring' }), weight: 1 },
    { arbitrary: fc.boolean().map((value): Command => ({ kind: 'available', value })), weight: 2 },
    {
      arbitrary: fc
        .integer({ min: 1, max: 500 })
        .map((intervalMs): Command => ({ kind: 'startMonitoring', intervalMs })),
      weight: 1,
    },
    {
      arbitrary: fc.integer({ min: 0, max: 1_000 }).map((ms): Command => ({ kind: 'advance', ms })),
      weight: 2,
    },
  );

  it('activations and deactivations balance, never overlap, and match isFull', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 50 }),
        async (commands, activateWorks, switchMs) => {
          let available = false;
          let active = 0;
          let busy = 0;
          let activations = 0;
          const violations: string[] = [];
          const work = async (): Promise<void> => {
            if (busy++ > 0) violations.push('activate/deactivate overlap');
            await new Promise((resolve) => setTimeout(resolve, switchMs));
            busy--;
          };
          const capability = new CapabilityUpgrade({
            name: 'prop',
            checkAvailable: () => Promise.resolve(available),
            activate: async () => {
              await work();
              if (activateWorks[activations++ % activateWorks.length] !== true)
                throw new Error('no');
              active++;
            },
            deactivate: async () => {
              await work();
              active--;
            },
          });
          const events: string[] = [];
          capability.onUpgrade(() => void events.push('up'));
          capability.onDowngrade(() => void events.push('down'));
          const states: CapabilityState[] = [];
          capability.onStateChange(({ to }) => void states.push(to));
          const pending: Promise<unknown>[] = [];
          for (const c of commands) {
            if (c.kind === 'available') available = c.value;
            else if (c.kind === 'tryUpgrade') pending.push(capability.tryUpgrade());
            else if (c.kind === 'downgrade') pending.push(capability.downgrade());
            else if (c.kind === 'startMonitoring') capability.startMonitoring(c.intervalMs);
            else if (c.kind === 'stopMonitoring') pending.push(capability.stopMonitoring());
            else if (c.kind === 'advance') await vi.advanceTimersByTimeAsync(c.ms);
            expect(active === 0 || active === 1).toBe(true);
          }
          const stopped = capability.stopMonitoring();
          await vi.advanceTimersByTimeAsync(10_000);
          await stopped;
          await Promise.all(pending);
          expect(violations).toEqual([]);
          expect(vi.getTimerCount()).toBe(0);
          expect(capability.state === 'full' || capability.state === 'degraded').toBe(true);
          expect(capability.isFull).toBe(active === 1);
          // Upgrades and downgrades alternate, starting with an upgrade.
          events.forEach((event, i) => expect(event).toBe(i % 2 === 0 ? 'up' : 'down'));
          expect(
            events.filter((e) => e === 'up').length - events.filter((e) => e === 'down').length,
          ).toBe(active);
          expect(states.every((s, i) => i === 0 || s !== states[i - 1])).toBe(true);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
