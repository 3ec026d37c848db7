import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onListenerError } from '../../src/core/events.js';
import {
  CapabilityUpgrade,
  HealthProbe,
  type CapabilityState,
  type CapabilityUpgradeOptions,
} from '../../src/core/index.js';
import { deferred, flush } from '../support/promises.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  onListenerError((error) => console.error(error));
});

/** A capability whose availability the test switches, with spies on everything. */
function setup(overrides: Partial<CapabilityUpgradeOptions> = {}) {
  const world = { available: true };
  const checkAvailable = vi.fn(() => Promise.resolve(world.available));
  const activate = vi.fn(() => Promise.resolve());
  const deactivate = vi.fn(() => Promise.resolve());
  const onUpgrade = vi.fn();
  const onDowngrade = vi.fn();
  const capability = new CapabilityUpgrade({
    name: 'local-llm',
    checkAvailable,
    activate,
    deactivate,
    onUpgrade,
    onDowngrade,
    ...overrides,
  });
  const states: CapabilityState[] = [];
  capability.onStateChange(({ to }) => void states.push(to));
  return {
    world,
    checkAvailable,
    activate,
    deactivate,
    onUpgrade,
    onDowngrade,
    capability,
    states,
  };
}

describe('CapabilityUpgrade: upgrade and downgrade', () => {
  it('starts degraded', () => {
    const { capability, checkAvailable } = setup();
    expect(capability.state).toBe('degraded');
    expect(capability.isFull).toBe(false);
    expect(checkAvailable).not.toHaveBeenCalled();
  });

  it('tryUpgrade() checks, activates and becomes full, calling onUpgrade once', async () => {
    const { capability, activate, onUpgrade, states } = setup();
    const attempt = capability.tryUpgrade();
    expect(capability.state).toBe('upgrading');
    await expect(attempt).resolves.toBe(true);
    expect(capability.state).toBe('full');
    expect(capability.isFull).toBe(true);
    expect(activate).toHaveBeenCalledTimes(1);
    expect(onUpgrade).toHaveBeenCalledTimes(1);
    expect(onUpgrade).toHaveBeenCalledWith({ name: 'local-llm' });
    expect(states).toEqual(['upgrading', 'full']);
    await expect(capability.tryUpgrade()).resolves.toBe(true);
    expect(activate).toHaveBeenCalledTimes(1);
  });

  it('tryUpgrade() stays degraded when the capability is not available', async () => {
    const { capability, world, activate, onUpgrade } = setup();
    world.available = false;
    await expect(capability.tryUpgrade()).resolves.toBe(false);
    expect(capability.state).toBe('degraded');
    expect(activate).not.toHaveBeenCalled();
    expect(onUpgrade).not.toHaveBeenCalled();
    expect(capability.status().lastError).toBe('answered false');
  });

  it('a throwing or timed-out availability check counts as unavailable', async () => {
    const throwing = setup({ checkAvailable: () => Promise.reject(new Error('ECONNREFUSED')) });
    await expect(throwing.capability.tryUpgrade()).resolves.toBe(false);
    expect(throwing.capability.status().lastError).toBe('Error: ECONNREFUSED');
    const hanging = setup({
      checkAvailable: () => new Promise<boolean>(() => undefined),
      timeoutMs: 200,
    });
    const attempt = hanging.capability.tryUpgrade();
    await vi.advanceTimersByTimeAsync(200);
    await expect(attempt).resolves.toBe(false);
    expect(hanging.capability.status().lastError).toMatch(/TimeoutError/);
  });

  it('concurrent tryUpgrade() calls share one attempt', async () => {
    const gate = deferred<boolean>();
    const checkAvailable = vi.fn(() => gate.promise);
    const { capability, activate } = setup({ checkAvailable });
    const attempts = Array.from({ length: 50 }, () => capability.tryUpgrade());
    gate.resolve(true);
    expect(new Set(await Promise.all(attempts))).toEqual(new Set([true]));
    expect(checkAvailable).toHaveBeenCalledTimes(1);
    expect(activate).toHaveBeenCalledTimes(1);
  });

  it('a throwing activate leaves it degraded and reports why', async () => {
    const failed = vi.fn();
    const { capability, onUpgrade } = setup({
      activate: () => Promise.reject(new Error('model file corrupt')),
    });
    capability.onUpgradeFailed(failed);
    await expect(capability.tryUpgrade()).resolves.toBe(false);
    expect(capability.state).toBe('degraded');
    expect(onUpgrade).not.toHaveBeenCalled();
    expect(failed).toHaveBeenCalledTimes(1);
    expect((failed.mock.calls[0]?.[0] as { error: Error }).error.message).toBe(
      'model file corrupt',
    );
    expect(capability.status().lastError).toBe('Error: model file corrupt');
  });

  it('a synchronously throwing activate is handled the same way', async () => {
    const { capability } = setup({
      activate: () => {
        throw new Error('boom');
      },
    });
    await expect(capability.tryUpgrade()).resolves.toBe(false);
    expect(capability.state).toBe('degraded');
  });

  it('downgrade() deactivates, returns to degraded and calls onDowngrade once', async () => {
    const { capability, deactivate, onDowngrade } = setup();
    await capability.tryUpgrade();
    const downgrading = capability.downgrade();
    expect(capability.isFull).toBe(false);
    const again = capability.downgrade();
    await Promise.all([downgrading, again]);
    expect(capability.state).toBe('degraded');
    expect(deactivate).toHaveBeenCalledTimes(1);
    expect(onDowngrade).toHaveBeenCalledTimes(1);
    expect(onDowngrade).toHaveBeenCalledWith({
      name: 'local-llm',
      reason: 'manual',
      error: undefined,
    });
    await capability.downgrade();
    expect(deactivate).toHaveBeenCalledTimes(1);
  });

  it('a throwing deactivate still leaves it degraded, and reports the error', async () => {
    const { capability, onDowngrade } = setup({
      deactivate: () => Promise.reject(new Error('stuck')),
    });
    await capability.tryUpgrade();
    await expect(capability.downgrade()).resolves.toBeUndefined();
    expect(capability.state).toBe('degraded');
    expect((onDowngrade.mock.calls[0]?.[0] as { error: Error }).error.message).toBe('stuck');
    expect(capability.status().lastError).toBe('Error: stuck');
  });

  it('downgrade() during an upgrade waits for it, then downgrades', async () => {
    const gate = deferred<boolean>();
    const { capability, deactivate, states } = setup({ checkAvailable: () => gate.promise });
    const upgrade = capability.tryUpgrade();
    const downgrade = capability.downgrade();
    gate.resolve(true);
    await expect(upgrade).resolves.toBe(true);
    await downgrade;
    expect(capability.state).toBe('degraded');
    expect(deactivate).toHaveBeenCalledTimes(1);
    expect(states).toEqual(['upgrading', 'full', 'degraded']);
  });

  it('an upgrade asked for during a deactivation activates only after it', async () => {
    const order: string[] = [];
    const deactivated = deferred<void>();
    const { capability } = setup({
      activate: () => void order.push('activate'),
      deactivate: () => {
        order.push('deactivate:start');
        return deactivated.promise.then(() => void order.push('deactivate:end'));
      },
    });
    await capability.tryUpgrade();
    const down = capability.downgrade();
    const up = capability.tryUpgrade();
    await flush();
    expect(order).toEqual(['activate', 'deactivate:start']);
    deactivated.resolve();
    await down;
    await expect(up).resolves.toBe(true);
    expect(order).toEqual(['activate', 'deactivate:start', 'deactivate:end', 'activate']);
  });

  it("a caller's signal stops its wait for an upgrade, not the upgrade", async () => {
    const gate = deferred<boolean>();
    const { capability } = setup({ checkAvailable: () => gate.promise });
    const controller = new AbortController();
    const impatient = capability.tryUpgrade({ signal: controller.signal });
    controller.abort(new Error('shutting down'));
    await expect(impatient).rejects.toThrow('shutting down');
    gate.resolve(true);
    await expect(capability.tryUpgrade()).resolves.toBe(true);
  });

  it('uses a HealthProbe as its availability check', async () => {
    const probe = new HealthProbe({ check: () => true, cacheTtlMs: 0 });
    const { capability } = setup({ checkAvailable: probe });
    await expect(capability.tryUpgrade()).resolves.toBe(true);
  });
});

describe('CapabilityUpgrade: monitoring', () => {
  it('upgrades when the capability appears, checking every intervalMs', async () => {
    const { capability, world, checkAvailable, states } = setup();
    world.available = false;
    capability.startMonitoring(1_000);
    await flush();
    expect(checkAvailable).toHaveBeenCalledTimes(1);
    expect(capability.state).toBe('degraded');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(checkAvailable).toHaveBeenCalledTimes(2);
    world.available = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(capability.state).toBe('monitoring');
    expect(capability.isFull).toBe(true);
    expect(states).toEqual([
      'upgrading',
      'degraded',
      'upgrading',
      'degraded',
      'upgrading',
      'monitoring',
    ]);
    await capability.stopMonitoring();
    expect(capability.state).toBe('full');
    expect(capability.isFull).toBe(true);
  });

  it('a regression while monitoring calls deactivate exactly once and downgrades', async () => {
    // Available for the first two checks, then gone (the seed's scenario).
    let calls = 0;
    const { capability, deactivate, onDowngrade } = setup({
      checkAvailable: () => Promise.resolve(++calls < 3),
    });
    capability.startMonitoring(10);
    await vi.advanceTimersByTimeAsync(100);
    expect(capability.state).toBe('degraded');
    expect(deactivate).toHaveBeenCalledTimes(1);
    expect(onDowngrade).toHaveBeenCalledTimes(1);
    expect(onDowngrade).toHaveBeenCalledWith({
      name: 'local-llm',
      reason: 'regression',
      error: undefined,
    });
    expect(capability.status().monitoring).toBe(true);
    await capability.stopMonitoring();
  });

  it('a regression racing a manual downgrade still deactivates once', async () => {
    const { capability, world, deactivate } = setup();
    capability.startMonitoring(100);
    await flush();
    expect(capability.state).toBe('monitoring');
    world.available = false;
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all([capability.downgrade(), capability.downgrade()]);
    expect(deactivate).toHaveBeenCalledTimes(1);
    await capability.stopMonitoring();
  });

  it('goes full again when the capability comes back after a regression', async () => {
    const { capability, world, activate, deactivate } = setup();
    capability.startMonitoring(100);
    await flush();
    world.available = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(capability.state).toBe('degraded');
    world.available = true;
    await vi.advanceTimersByTimeAsync(100);
    expect(capability.state).toBe('monitoring');
    expect(activate).toHaveBeenCalledTimes(2);
    expect(deactivate).toHaveBeenCalledTimes(1);
    await capability.stopMonitoring();
  });

  it('never overlaps runs: the next check is scheduled intervalMs after the last finished', async () => {
    let running = 0;
    let maxRunning = 0;
    const startedAt: number[] = [];
    const { capability } = setup({
      checkAvailable: () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        startedAt.push(Date.now());
        return new Promise<boolean>((resolve) =>
          setTimeout(() => {
            running--;
            resolve(false);
          }, 250),
        );
      },
    });
    const start = Date.now();
    capability.startMonitoring(100);
    await vi.advanceTimersByTimeAsync(1_000);
    await capability.stopMonitoring();
    expect(maxRunning).toBe(1);
    expect(startedAt.map((t) => t - start)).toEqual([0, 350, 700]);
  });

  it('stopMonitoring() leaves nothing running, waiting for a run in flight', async () => {
    const gate = deferred<boolean>();
    const { capability } = setup({
      checkAvailable: vi.fn().mockReturnValueOnce(gate.promise).mockResolvedValue(false),
    });
    capability.startMonitoring(10_000);
    let stopped = false;
    const stopping = capability.stopMonitoring().then(() => {
      stopped = true;
    });
    await flush();
    expect(stopped).toBe(false);
    gate.resolve(false);
    await stopping;
    expect(vi.getTimerCount()).toBe(0);
    expect(capability.status().monitoring).toBe(false);
  });

  it('stopMonitoring() while idle between runs clears the timer at once', async () => {
    const { capability, world, checkAvailable } = setup();
    world.available = false;
    capability.startMonitoring(10_000);
    await flush();
    expect(vi.getTimerCount()).toBe(1);
    await capability.stopMonitoring();
    await capability.stopMonitoring();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(checkAvailable).toHaveBeenCalledTimes(1);
  });

  it('stopping during a regression check aborts it and does not downgrade', async () => {
    let signal: AbortSignal | undefined;
    const { capability, deactivate } = setup({
      checkAvailable: vi
        .fn()
        .mockResolvedValueOnce(true)
        .mockImplementation((s: AbortSignal) => {
          signal = s;
          return new Promise<boolean>(() => undefined);
        }),
    });
    await capability.tryUpgrade();
    capability.startMonitoring(1_000);
    await flush();
    expect(signal?.aborted).toBe(false);
    await capability.stopMonitoring();
    expect(signal?.aborted).toBe(true);
    expect(capability.state).toBe('full');
    expect(deactivate).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('startMonitoring() again only changes the interval', async () => {
    const { capability, world, checkAvailable } = setup();
    world.available = false;
    capability.startMonitoring(1_000);
    capability.startMonitoring(200);
    await flush();
    expect(checkAvailable).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    // The timer armed after the first run used the new interval.
    expect(checkAvailable).toHaveBeenCalledTimes(6);
    await capability.stopMonitoring();
  });

  it('a listener that throws changes nothing', async () => {
    const reported: unknown[] = [];
    onListenerError((error) => reported.push(error));
    const { capability } = setup({
      onUpgrade: () => {
        throw new Error('listener bug');
      },
    });
    await expect(capability.tryUpgrade()).resolves.toBe(true);
    expect(capability.state).toBe('full');
    expect(reported).toHaveLength(1);
  });
});

describe('CapabilityUpgrade: options', () => {
  it.each([
    [{ name: '' }, TypeError, 'CapabilityUpgrade: name must be a non-empty string, got ""'],
    [
      { checkAvailable: undefined },
      TypeError,
      'CapabilityUpgrade: checkAvailable must be a function or an object with a check() method, got undefined',
    ],
    [{ activate: 'on' }, TypeError, 'CapabilityUpgrade: activate must be a function, got "on"'],
    [{ deactivate: 1 }, TypeError, 'CapabilityUpgrade: deactivate must be a function, got 1'],
    [
      { timeoutMs: -5 },
      RangeError,
      'CapabilityUpgrade: timeoutMs must be a number > 0 and ≤ 2147483647 (or Infinity), got -5',
    ],
  ])('rejects %o', (bad, errorClass, message) => {
    const options = {
      name: 'x',
      checkAvailable: () => true,
      activate: () => undefined,
      ...bad,
    } as unknown as CapabilityUpgradeOptions;
    expect(() => new CapabilityUpgrade(options)).toThrow(errorClass);
    expect(() => new CapabilityUpgrade(options)).toThrow(message);
  });

  it('validates the monitoring interval', () => {
    const { capability } = setup();
    expect(() => capability.startMonitoring(0)).toThrow(
      'CapabilityUpgrade: intervalMs must be a number > 0 and ≤ 2147483647, got 0',
    );
    expect(() => capability.startMonitoring(undefined as unknown as number)).toThrow(TypeError);
    expect(capability.status().monitoring).toBe(false);
  });
});
