import { EventHub, type Listener, type Unsubscribe } from '../events.js';
import { abortable } from '../health/abortable.js';
import { describeFailure, runBounded } from '../health/bounded.js';
import { toCheckFunction, type CheckFunction, type HealthCheckable } from '../health/checkable.js';
import {
  MAX_TIMER_MS,
  checkFunction,
  checkName,
  checkNumber,
  numberOption,
  optionalFunction,
  checkOptions,
} from '../option-checks.js';
import { unrefTimer } from '../timers.js';

/** `monitoring` is full capability with a watch for regressions running. */
export type CapabilityState = 'degraded' | 'upgrading' | 'full' | 'monitoring';

export interface CapabilityStateChange {
  readonly name: string;
  readonly from: CapabilityState;
  readonly to: CapabilityState;
}

export interface CapabilityUpgradeEvent {
  readonly name: string;
}

export interface CapabilityDowngradeEvent {
  readonly name: string;
  /** `regression`: monitoring found the capability gone; `manual`: `downgrade()` was called. */
  readonly reason: 'manual' | 'regression';
  /** What `deactivate` threw, if it did (the capability is degraded regardless). */
  readonly error: unknown;
}

export interface CapabilityUpgradeFailedEvent {
  readonly name: string;
  /** What `activate` threw. */
  readonly error: unknown;
}

export interface CapabilityStatus {
  readonly name: string;
  readonly state: CapabilityState;
  readonly isFull: boolean;
  readonly monitoring: boolean;
  /** Why the last upgrade, check or deactivation failed. */
  readonly lastError: string | undefined;
}

export interface CapabilityUpgradeOptions {
  readonly name: string;
  /** Whether the full capability is reachable now: a function (given a signal) or any `HealthCheckable`. */
  readonly checkAvailable: CheckFunction | HealthCheckable;
  /** Switches to the full capability; a throw leaves the capability degraded. */
  readonly activate: () => void | PromiseLike<void>;
  /** Switches back to the fallback. */
  readonly deactivate?: () => void | PromiseLike<void>;
  /** A `checkAvailable` still running after this long counts as unavailable (default 10 000; Infinity = none). */
  readonly timeoutMs?: number;
  readonly onUpgrade?: (event: CapabilityUpgradeEvent) => void | PromiseLike<void>;
  readonly onDowngrade?: (event: CapabilityDowngradeEvent) => void | PromiseLike<void>;
}

export interface TryUpgradeOptions {
  /** Stops this caller's wait (rejecting with the reason); the shared attempt goes on. */
  readonly signal?: AbortSignal | undefined;
}

interface CapabilityEvents {
  stateChange: CapabilityStateChange;
  upgrade: CapabilityUpgradeEvent;
  downgrade: CapabilityDowngradeEvent;
  upgradeFailed: CapabilityUpgradeFailedEvent;
}

/** The watch started by `startMonitoring`; its runs never overlap. */
interface Monitor {
  intervalMs: number;
  readonly controller: AbortController;
  timer: ReturnType<typeof setTimeout> | undefined;
  running: Promise<void> | undefined;
}

const OWNER = 'CapabilityUpgrade';
const RESOLVED = Promise.resolve();
const TRUE = Promise.resolve(true);

function describeError(error: unknown): string {
  return describeFailure({ ok: false, error });
}

/**
 * Runs degraded (on a fallback) until the full capability is available, then switches to
 * it; optionally keeps watching, upgrading when it appears and downgrading when it goes.
 */
export class CapabilityUpgrade {
  readonly name: string;
  private readonly check: CheckFunction;
  private readonly activate: () => void | PromiseLike<void>;
  private readonly deactivate: (() => void | PromiseLike<void>) | undefined;
  private readonly timeoutMs: number;
  private hub: EventHub<CapabilityEvents> | undefined;
  private current: CapabilityState = 'degraded';
  private upgrading: Promise<boolean> | undefined;
  private downgrading: Promise<void> | undefined;
  private monitor: Monitor | undefined;
  private monitorStopped: Promise<void> = RESOLVED;
  private lastError: string | undefined;

  constructor(options: CapabilityUpgradeOptions) {
    checkOptions(OWNER, options);
    this.name = checkName(OWNER, 'name', options.name);
    this.check = toCheckFunction(OWNER, 'checkAvailable', options.checkAvailable, 'check');
    checkFunction(OWNER, 'activate', options.activate);
    optionalFunction(OWNER, 'deactivate', options.deactivate);
    optionalFunction(OWNER, 'onUpgrade', options.onUpgrade);
    optionalFunction(OWNER, 'onDowngrade', options.onDowngrade);
    this.activate = options.activate;
    this.deactivate = options.deactivate;
    this.timeoutMs = numberOption(OWNER, 'timeoutMs', options.timeoutMs, 10_000, {
      min: 0,
      above: true,
      max: MAX_TIMER_MS,
      infinite: true,
    });
    if (options.onUpgrade !== undefined) this.onUpgrade(options.onUpgrade);
    if (options.onDowngrade !== undefined) this.onDowngrade(options.onDowngrade);
  }

  get state(): CapabilityState {
    return this.current;
  }

  /** True in `full` and `monitoring`: the full capability is active. */
  get isFull(): boolean {
    return this.current === 'full' || this.current === 'monitoring';
  }

  /**
   * Checks availability and, if available, activates the full capability. Resolves `true`
   * when full (at once if already full), `false` when unavailable or `activate` threw
   * (see `status().lastError`). Concurrent calls share one attempt.
   */
  tryUpgrade(options?: TryUpgradeOptions): Promise<boolean> {
    if (this.isFull) return TRUE;
    const attempt = this.upgrading ?? this.beginUpgrade();
    const signal = options?.signal;
    return signal === undefined ? attempt : abortable(attempt, signal);
  }

  /**
   * Deactivates the full capability and returns to `degraded` (at once: callers see
   * `isFull` false while `deactivate` runs). Waits for an upgrade in flight first;
   * concurrent calls share one deactivation. Never rejects: a throwing `deactivate` is reported.
   */
  downgrade(): Promise<void> {
    return this.beginDowngrade('manual');
  }

  /**
   * Watches the capability every `intervalMs`, the first run now: while degraded it tries
   * to upgrade, while full a failed check downgrades. Runs never overlap: the next is
   * scheduled when the last has finished. Called again, it only changes the interval.
   */
  startMonitoring(intervalMs: number): void {
    const interval = checkNumber(OWNER, 'intervalMs', intervalMs, {
      min: 0,
      above: true,
      max: MAX_TIMER_MS,
    });
    if (this.monitor !== undefined) {
      this.monitor.intervalMs = interval;
      return;
    }
    const monitor: Monitor = {
      intervalMs: interval,
      controller: new AbortController(),
      timer: undefined,
      running: undefined,
    };
    this.monitor = monitor;
    if (this.current === 'full') this.setState('monitoring');
    this.runMonitor(monitor);
  }

  /**
   * Stops watching: clears the timer, aborts a running check, and resolves once the run in
   * flight (if any) has finished, leaving nothing running. The capability keeps its mode.
   */
  stopMonitoring(): Promise<void> {
    const monitor = this.monitor;
    if (monitor === undefined) return this.monitorStopped;
    this.monitor = undefined;
    clearTimeout(monitor.timer);
    monitor.timer = undefined;
    monitor.controller.abort();
    if (this.current === 'monitoring') this.setState('full');
    this.monitorStopped = monitor.running ?? RESOLVED;
    return this.monitorStopped;
  }

  status(): CapabilityStatus {
    return {
      name: this.name,
      state: this.current,
      isFull: this.isFull,
      monitoring: this.monitor !== undefined,
      lastError: this.lastError,
    };
  }

  onStateChange(listener: Listener<CapabilityStateChange>): Unsubscribe {
    return this.events().on('stateChange', listener);
  }

  onUpgrade(listener: Listener<CapabilityUpgradeEvent>): Unsubscribe {
    return this.events().on('upgrade', listener);
  }

  onDowngrade(listener: Listener<CapabilityDowngradeEvent>): Unsubscribe {
    return this.events().on('downgrade', listener);
  }

  /** `activate` threw during an upgrade. */
  onUpgradeFailed(listener: Listener<CapabilityUpgradeFailedEvent>): Unsubscribe {
    return this.events().on('upgradeFailed', listener);
  }

  private events(): EventHub<CapabilityEvents> {
    return (this.hub ??= new EventHub<CapabilityEvents>());
  }

  private setState(to: CapabilityState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.hub?.emit('stateChange', { name: this.name, from, to });
  }

  private beginUpgrade(): Promise<boolean> {
    this.setState('upgrading');
    const attempt = this.upgrade().then((ok) => {
      this.upgrading = undefined;
      this.setState(ok ? this.fullState() : 'degraded');
      if (ok) this.hub?.emit('upgrade', { name: this.name });
      return ok;
    });
    this.upgrading = attempt;
    return attempt;
  }

  private async upgrade(): Promise<boolean> {
    // A deactivation still running finishes before activation starts, so they never overlap.
    await this.downgrading;
    const outcome = await runBounded(this.check, this.timeoutMs);
    if (!outcome.ok) {
      this.lastError = describeFailure(outcome);
      return false;
    }
    try {
      await this.activate();
    } catch (error) {
      this.lastError = describeError(error);
      this.hub?.emit('upgradeFailed', { name: this.name, error });
      return false;
    }
    this.lastError = undefined;
    return true;
  }

  private fullState(): CapabilityState {
    return this.monitor === undefined ? 'full' : 'monitoring';
  }

  private beginDowngrade(reason: CapabilityDowngradeEvent['reason']): Promise<void> {
    if (this.downgrading !== undefined) return this.downgrading;
    if (this.upgrading !== undefined) {
      return this.upgrading.then(() => this.beginDowngrade(reason));
    }
    if (!this.isFull) return RESOLVED;
    this.setState('degraded');
    const deactivation = this.runDeactivate().then((error) => {
      this.downgrading = undefined;
      this.hub?.emit('downgrade', { name: this.name, reason, error });
    });
    this.downgrading = deactivation;
    return deactivation;
  }

  /** Runs `deactivate`, resolving with what it threw (or `undefined`). */
  private async runDeactivate(): Promise<unknown> {
    try {
      await this.deactivate?.();
      return undefined;
    } catch (error) {
      this.lastError = describeError(error);
      return error;
    }
  }

  private runMonitor(monitor: Monitor): void {
    monitor.timer = undefined;
    monitor.running = this.monitorOnce(monitor.controller.signal).then(() => {
      monitor.running = undefined;
      if (this.monitor !== monitor) return;
      monitor.timer = unrefTimer(setTimeout(() => this.runMonitor(monitor), monitor.intervalMs));
    });
  }

  private async monitorOnce(signal: AbortSignal): Promise<void> {
    if (!this.isFull) {
      await this.tryUpgrade();
      return;
    }
    const outcome = await runBounded(this.check, this.timeoutMs, signal);
    // A stopped watch, a healthy answer, or a downgrade made meanwhile: nothing to do.
    if (signal.aborted || outcome.ok || !this.isFull) return;
    this.lastError = describeFailure(outcome);
    await this.beginDowngrade('regression');
  }
}
