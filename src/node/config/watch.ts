import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../../core/errors/index.js';
import type { AuditEntry } from '../../core/orchestrator/audit.js';
import type { ResilienceConfig } from '../../core/orchestrator/config.js';
import { unrefTimer } from '../../core/timers.js';
import { loadConfig, type LoadOptions } from './load.js';
import { isPlainObject } from '../../core/plain-object.js';
import { mergePatchBetween } from './merge-patch.js';

/** What `watchConfig` needs of a resilience instance. */
export interface Reconfigurable {
  updateConfig(patch: unknown, options?: { source?: string; actor?: string }): AuditEntry;
}

export type ReloadResult =
  | {
      readonly ok: true;
      /** The audit entry of the applied change; undefined when the file said nothing new. */
      readonly entry: AuditEntry | undefined;
    }
  | {
      readonly ok: false;
      /** `missing`: the file is gone; `invalid`: it was rejected. The old config stays. */
      readonly reason: 'missing' | 'invalid';
      readonly error: ConfigError;
    };

export interface WatchOptions extends Omit<LoadOptions, 'file'> {
  /** Quiet time after the last change before reloading (editors write in bursts); 100 ms. */
  readonly debounceMs?: number;
  /** Told of every reload, good or bad. */
  readonly onReload?: (result: ReloadResult) => void;
}

export interface ConfigWatcher {
  /** Reloads now, without waiting for the file system to report a change. */
  reload(): ReloadResult;
  /** Stops watching; nothing is left running. Idempotent. */
  close(): void;
}

/** Whatever went wrong while applying a file, as a `ConfigError` saying so. */
function asConfigError(error: unknown, path: string): ConfigError {
  if (error instanceof ConfigError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ConfigError([
    { path: '', value: path, expected: 'a configuration that applies', message: reason },
  ]);
}

/**
 * Watches a configuration file and applies its changes to `resilience` through
 * `updateConfig` (source `file`, actor the path), debounced. A file that fails to load or
 * validate, or that disappears, leaves the configuration in force and is reported to
 * `onReload`; a file that reappears is loaded again. The initial file must be valid.
 */
export function watchConfig(
  file: string,
  resilience: Reconfigurable,
  options: WatchOptions = {},
): ConfigWatcher {
  const path = resolve(file);
  const { debounceMs = 100, onReload, ...loadOptions } = options;
  let applied: ResilienceConfig = loadConfig({ ...loadOptions, file: path }).config;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const reload = (): ReloadResult => {
    let result: ReloadResult;
    if (!existsSync(path)) {
      const error = new ConfigError([
        {
          path: '',
          value: path,
          expected: 'the configuration file',
          message: `${path} disappeared; keeping the configuration in force`,
        },
      ]);
      result = { ok: false, reason: 'missing', error };
    } else {
      try {
        const next = loadConfig({ ...loadOptions, file: path }).config;
        const patch = mergePatchBetween(applied, next);
        const entry =
          isPlainObject(patch) && Object.keys(patch).length === 0
            ? undefined
            : resilience.updateConfig(patch, { source: 'file', actor: path });
        applied = next;
        result = { ok: true, entry };
      } catch (error) {
        result = { ok: false, reason: 'invalid', error: asConfigError(error, path) };
      }
    }
    try {
      onReload?.(result);
    } catch {
      // A throwing listener must not stop the watching.
    }
    return result;
  };

  const schedule = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = unrefTimer(
      setTimeout(() => {
        timer = undefined;
        if (!closed) reload();
      }, debounceMs),
    );
  };

  // The directory, not the file: editors and deployments replace files by renaming, and a
  // deleted file must be noticed when it comes back.
  const name = basename(path);
  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
    if (changed === null || changed.toString() === name) schedule();
  });
  watcher.on('error', () => schedule());

  return {
    reload,
    close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      watcher.close();
    },
  };
}
