import type { Clock } from '../core/clock.js';
import type { BreakerCommands } from './commands.js';
import type { ConnectionState } from './connection.js';
import type { ResolvedRedisStoreOptions } from './options.js';

/** What the parts of one Redis store share. */
export interface StoreContext {
  readonly options: ResolvedRedisStoreOptions;
  readonly clock: Clock;
  /** The fleet's pub/sub channel for transitions. */
  readonly channel: string;
  readonly commands: BreakerCommands;
  readonly connection: ConnectionState;
  /** Runs work in the background: errors are the connection's business, `close()` waits for it. */
  track(work: Promise<unknown>): void;
}
