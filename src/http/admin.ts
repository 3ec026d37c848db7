import type { AuditEntry, BreakerCommand } from '../core/orchestrator/audit.js';
import type { Resilience } from '../core/orchestrator/resilience.js';
import { MAX_TIMER_MS } from '../core/option-checks.js';

/** The command that ends a forced state when its `ttlMs` runs out. */
const REVERT: Partial<Record<BreakerCommand, { command: BreakerCommand; forced: string }>> = {
  isolate: { command: 'reset', forced: 'isolated' },
  disable: { command: 'enable', forced: 'disabled' },
};

export interface CommandResult {
  readonly name: string;
  readonly command: BreakerCommand;
  readonly state: string;
  /** When a `ttlMs` will revert the command (ISO), if one was given. */
  readonly revertsAt?: string;
  readonly audit: AuditEntry;
}

/** Why a command's body was refused. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/**
 * Runs operator commands on breakers through the orchestrator (so each lands in its audit
 * trail) and keeps at most one revert timer per circuit: a later command on the same
 * circuit, or `close()`, clears it. Timers are unref'd, so a pending revert never keeps the
 * process alive.
 */
export class AdminCommands {
  private readonly reverts = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly resilience: Resilience) {}

  /** Whether `ttlMs` may go with `command`. */
  static takesTtl(command: BreakerCommand): boolean {
    return REVERT[command] !== undefined;
  }

  /** Runs `command`; undefined when the operation has no breaker. Throws `CommandError` for a bad `ttlMs`. */
  run(
    name: string,
    command: BreakerCommand,
    body: unknown,
    actor: string,
  ): CommandResult | undefined {
    const ttlMs = ttlOf(command, body);
    if (this.resilience.breaker(name) === undefined) return undefined;
    this.clearRevert(name);
    const audit = this.resilience.command(name, command, { source: 'http', actor });
    if (audit === undefined) return undefined;
    const state = this.resilience.breaker(name)?.state ?? 'closed';
    if (ttlMs === undefined) return { name, command, state, audit };
    this.scheduleRevert(name, command, ttlMs, actor);
    const revertsAt = new Date(Date.now() + ttlMs).toISOString();
    return { name, command, state, revertsAt, audit };
  }

  close(): void {
    for (const timer of this.reverts.values()) clearTimeout(timer);
    this.reverts.clear();
  }

  private scheduleRevert(name: string, command: BreakerCommand, ttlMs: number, actor: string) {
    const revert = REVERT[command];
    if (revert === undefined) return;
    const timer = setTimeout(() => {
      this.reverts.delete(name);
      // Only the state this command forced is undone; anything done since stays.
      if (this.resilience.breaker(name)?.state !== revert.forced) return;
      this.resilience.command(name, revert.command, { source: 'http-ttl', actor });
    }, ttlMs);
    timer.unref();
    this.reverts.set(name, timer);
  }

  private clearRevert(name: string): void {
    const timer = this.reverts.get(name);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.reverts.delete(name);
  }
}

function ttlOf(command: BreakerCommand, body: unknown): number | undefined {
  if (body === undefined) return undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CommandError('the body must be a JSON object such as {"ttlMs": 60000}');
  }
  const ttlMs = (body as { ttlMs?: unknown }).ttlMs;
  if (ttlMs === undefined) return undefined;
  if (!AdminCommands.takesTtl(command)) {
    throw new CommandError(`ttlMs goes with isolate and disable, not ${command}`);
  }
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_TIMER_MS) {
    throw new CommandError(
      `ttlMs must be an integer from 1 to ${MAX_TIMER_MS}, got ${JSON.stringify(ttlMs)}`,
    );
  }
  return ttlMs;
}
