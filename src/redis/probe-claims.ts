import { randomUUID } from 'node:crypto';
import type { ProbeRelease } from '../core/breaker/store.js';
import { unrefTimer } from '../core/timers.js';
import type { StoreContext } from './context.js';
import { replySnapshot } from './messages.js';
import type { Resync } from './resync.js';
import type { SharedCircuit } from './shared-circuit.js';

/** One attached breaker: the probe claims it holds, released when it is disposed. */
export interface Attachment {
  detached: boolean;
  /** Created on the first claim. */
  claims: Set<string> | undefined;
}

const noRelease: ProbeRelease = () => undefined;

/**
 * Half-open probes limited fleet-wide: a replica runs a probe only with one of the fleet's
 * `maxCalls` claims (a sorted set in Redis, each claim expiring after `probeTtlMs`). When
 * Redis cannot be asked, `onStoreUnavailable` decides: `local` runs the probe on the
 * breaker's local slot, `strict` refuses it, so the fleet-wide limit is never exceeded.
 */
export class ProbeClaims {
  private readonly replica = randomUUID();
  private issued = 0;
  /** Probes run on the local decision alone because Redis could not be asked (`local`). */
  localProbes = 0;
  /** Probes refused because Redis could not be asked (`strict`). */
  refusedProbes = 0;

  constructor(
    private readonly context: StoreContext,
    private readonly resync: Resync,
  ) {}

  claim(shared: SharedCircuit, attachment: Attachment): Promise<ProbeRelease | undefined> {
    const { connection, options } = this.context;
    if (!connection.ready) return Promise.resolve(this.unavailable());
    const id = `${this.replica}:${++this.issued}`;
    const argument = {
      now: this.context.clock.now(),
      maxCalls: shared.settings.halfOpen.maxCalls,
      ttlMs: options.probeTtlMs,
      id,
    };
    return new Promise((resolve) => {
      // A Redis that stopped answering must not hold the call: past the timeout the policy
      // decides, and a claim granted too late is handed straight back.
      let answered = false;
      const timer = unrefTimer(
        setTimeout(() => {
          answered = true;
          // Silence counts as failing: the next probes decide at once instead of waiting too.
          connection.failed(
            new Error(`no answer to a probe claim within ${options.commandTimeoutMs} ms`),
          );
          resolve(this.unavailable());
        }, options.commandTimeoutMs),
      );
      this.context.commands.claim(shared.keys, argument).then(
        (reply) => {
          clearTimeout(timer);
          const answer = this.answer(shared, attachment, id, reply);
          if (!answered) resolve(answer);
          else if (answer !== undefined) answer(false);
          answered = true;
        },
        () => {
          clearTimeout(timer);
          if (!answered) resolve(this.unavailable());
          answered = true;
        },
      );
    });
  }

  /** The breaker is disposed: its claims go back to the fleet. */
  releaseAll(shared: SharedCircuit, attachment: Attachment): void {
    attachment.detached = true;
    const claims = attachment.claims;
    attachment.claims = undefined;
    if (claims === undefined) return;
    for (const id of claims) this.release(shared, id, false);
    claims.clear(); // a probe settling later has nothing left to release
  }

  private unavailable(): ProbeRelease | undefined {
    if (this.context.options.onStoreUnavailable === 'strict') {
      this.refusedProbes++;
      return undefined;
    }
    this.localProbes++;
    return noRelease;
  }

  private answer(
    shared: SharedCircuit,
    attachment: Attachment,
    id: string,
    reply: unknown,
  ): ProbeRelease | undefined {
    const granted =
      typeof reply === 'object' && reply !== null && 'granted' in reply && reply.granted === true;
    if (granted) {
      if (attachment.detached) {
        // Disposed while the claim was on its way: the slot goes straight back.
        this.release(shared, id, false);
        return noRelease;
      }
      const claims = (attachment.claims ??= new Set());
      claims.add(id);
      return (succeeded) => {
        if (claims.delete(id)) this.release(shared, id, succeeded);
      };
    }
    const snapshot = replySnapshot(reply);
    if (snapshot === undefined || snapshot.version < shared.snapshot.version - 1) {
      // Redis lost this breaker's state (it restarted empty): decide locally, refill it.
      this.resync.push(shared, shared.snapshot, false);
      return noRelease;
    }
    shared.adopt(snapshot);
    return undefined;
  }

  /**
   * Hands a probe slot back; a successful probe also counts towards closing the breaker
   * fleet-wide (`successesToClose` probe successes across every replica).
   */
  private release(shared: SharedCircuit, id: string, succeeded: boolean): void {
    if (!this.context.connection.ready) return;
    const argument = {
      id,
      succeeded,
      now: this.context.clock.now(),
      successesToClose: shared.settings.halfOpen.successesToClose,
      channel: this.context.channel,
    };
    this.context.track(
      this.context.commands
        .release(shared.keys, argument)
        .then((reply) => shared.adopt(replySnapshot(reply))),
    );
  }
}
