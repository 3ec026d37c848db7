import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  CircuitSnapshot,
  CircuitStore,
  StoreHealth,
  StoreLink,
  StoredCircuit,
} from '../core/breaker/store.js';
import { checkName, checkNonNegative, optionalFunction } from '../core/option-checks.js';
import { unrefTimer } from '../core/timers.js';
import { parse, serialize } from './file-format.js';
import { lockFile } from './file-lock.js';

export interface FileStoreOptions {
  /**
   * Transitions within this many ms are written together, in one write (default 250), so a
   * flapping breaker or a thousand breakers opening at once cost one write, not a storm.
   */
  readonly debounceMs?: number;
  /**
   * Told when the file is unreadable or corrupt, or when writes start failing (once per run
   * of failures; not when the file does not exist yet). Default `console.warn`.
   */
  readonly onWarning?: (message: string) => void;
}

export interface FileStore extends CircuitStore {
  readonly path: string;
  /** Writes pending transitions now (synchronously). */
  flush(): void;
  /** `'ready'`, or `'write-failing'` with the error while writes fail (they are retried). */
  status(): StoreHealth;
}

let tempCounter = 0;

/** How long a flush waits before trying a lock held by a live writer again. */
const BUSY_RETRY_MS = 20;
/** Tries on a busy lock before writing without it (the rename still keeps the file whole). */
const MAX_BUSY_FLUSHES = 10;
/** How long a failed write (a full disk, a read-only mount) waits before it is tried again. */
const FAILED_WRITE_RETRY_MS = 1000;
/** The bounded spin for the lock at process exit, the one write that cannot wait for a timer. */
const EXIT_LOCK_WAIT_MS = 200;

/**
 * Keeps every breaker's state in one JSON file so that it survives a restart (SPEC §6): an
 * open breaker comes back open for the rest of its open time. The file is read once,
 * synchronously, when the store is created; transitions are written atomically (a temp file
 * renamed over it), debounced, merged with what other processes wrote, and flushed at
 * `close()` and at process exit. A missing or corrupt file means every breaker starts
 * closed, with a warning — never a crash. A write that fails is tried again until one
 * succeeds, and `status()` (so health) shows it meanwhile.
 */
class JsonFileStore implements FileStore {
  private readonly debounceMs: number;
  private readonly warn: (message: string) => void;
  private readonly latest: Map<string, CircuitSnapshot>;
  private readonly attached = new Map<string, Set<StoredCircuit>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dirty = false;
  private closed = false;
  /** Flushes in a row that found the lock held by a live writer. */
  private busyFlushes = 0;
  /** Why the last write failed, until a write succeeds. */
  private writeError: string | undefined;
  /** At exit nothing can wait asynchronously: a short bounded spin for the lock, then write. */
  private readonly flushAtExit = (): void => this.flushWith(EXIT_LOCK_WAIT_MS, true);

  constructor(
    readonly path: string,
    options: FileStoreOptions,
  ) {
    checkName('fileStore', 'path', path);
    const { debounceMs = 250, onWarning } = options;
    this.debounceMs = checkNonNegative('fileStore', 'debounceMs', debounceMs);
    optionalFunction('fileStore', 'onWarning', onWarning);
    this.warn = (message) => {
      try {
        (onWarning ?? console.warn)(`breakwater fileStore ${path}: ${message}`);
      } catch {
        // A failing logger must not fail the store.
      }
    };
    this.latest = this.load();
  }

  attach(circuit: StoredCircuit): StoreLink {
    const name = circuit.name;
    const known = this.latest.get(name);
    if (known === undefined || !circuit.adopt(known)) this.remember(circuit.toJSON());
    let peers = this.attached.get(name);
    if (peers === undefined) this.attached.set(name, (peers = new Set()));
    peers.add(circuit);
    const group = peers;
    return {
      recordTransition: (snapshot) => {
        if (!this.remember(snapshot)) return;
        for (const peer of group) if (peer !== circuit) peer.adopt(snapshot);
      },
      // The breaker's state stays in the file (and in `latest`, which mirrors it); only
      // the breaker itself goes.
      detach: () => {
        group.delete(circuit);
        if (group.size === 0 && this.attached.get(name) === group) this.attached.delete(name);
      },
    };
  }

  flush(): void {
    this.flushWith(0, this.busyFlushes >= MAX_BUSY_FLUSHES);
  }

  /**
   * Writes now unless a live writer holds the lock; then it tries again shortly (never
   * blocking the event loop), and after `MAX_BUSY_FLUSHES` tries writes without the lock.
   */
  private flushWith(lockWaitMs: number, evenIfLocked: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    process.off('exit', this.flushAtExit);
    if (!this.dirty) return;
    let written: boolean;
    try {
      written = this.write(lockWaitMs, evenIfLocked);
    } catch (error) {
      const message = (error as Error).message;
      // Once per run of failures: a full disk must not write a warning every second.
      if (this.writeError === undefined) {
        this.warn(`could not write the state file (${message}); trying again until it works`);
      }
      this.writeError = message;
      this.retryIn(FAILED_WRITE_RETRY_MS);
      return;
    }
    if (written) {
      this.writeError = undefined;
      this.dirty = false;
      this.busyFlushes = 0;
      return;
    }
    this.busyFlushes++;
    this.retryIn(BUSY_RETRY_MS);
  }

  private retryIn(ms: number): void {
    if (this.closed) return;
    this.timer = unrefTimer(setTimeout(() => this.flush(), ms));
    process.on('exit', this.flushAtExit);
  }

  status(): StoreHealth {
    return this.writeError === undefined
      ? { connection: 'ready' }
      : { connection: 'write-failing', lastError: this.writeError };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    // A busy lock: wait for the retries (each a timer, not a spin) before letting go. A
    // failing write was tried once more just now, and warned about; it is not waited for.
    while (this.dirty && this.writeError === undefined) {
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
      this.flush();
    }
    for (const group of this.attached.values()) group.clear();
    this.attached.clear();
  }

  /** Keeps a snapshot unless a newer one of that breaker is known; schedules the write. */
  private remember(snapshot: CircuitSnapshot): boolean {
    const known = this.latest.get(snapshot.name);
    if (known !== undefined && known.version > snapshot.version) return false;
    this.latest.set(snapshot.name, snapshot);
    if (known === undefined && snapshot.reason === 'created') return true; // nothing worth a write
    this.dirty = true;
    if (this.timer === undefined && !this.closed) {
      this.timer = unrefTimer(setTimeout(() => this.flush(), this.debounceMs));
      // An unref'd timer does not hold the process: write at exit if it comes first.
      process.on('exit', this.flushAtExit);
    }
    return true;
  }

  private load(): Map<string, CircuitSnapshot> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No file yet is a normal first start, not something to warn about.
      if (code !== 'ENOENT') {
        this.warn(
          `cannot read the state file (${code ?? (error as Error).message}); every breaker starts closed`,
        );
      }
      return new Map();
    }
    const { breakers, problems } = parse(text);
    for (const problem of problems) this.warn(`${problem}; it will be rewritten`);
    return breakers;
  }

  /**
   * Read, merge (the newer version of each breaker wins), write a temp file, rename it over.
   * Returns false, having written nothing, when a live writer holds the lock.
   */
  private write(lockWaitMs: number, evenIfLocked: boolean): boolean {
    mkdirSync(dirname(this.path), { recursive: true });
    const lock = lockFile(this.path, lockWaitMs);
    if (lock === 'busy' && !evenIfLocked) return false;
    const unlock = typeof lock === 'function' ? lock : undefined;
    const temp = `${this.path}.${process.pid}.${++tempCounter}.tmp`;
    try {
      const merged = new Map(this.readOthers());
      for (const [name, snapshot] of this.latest) {
        const theirs = merged.get(name);
        if (theirs === undefined || theirs.version <= snapshot.version) merged.set(name, snapshot);
        else this.latest.set(name, theirs);
      }
      writeFileSync(temp, serialize(merged));
      renameSync(temp, this.path);
      return true;
    } catch (error) {
      try {
        unlinkSync(temp);
      } catch {
        // Never created.
      }
      throw error;
    } finally {
      unlock?.();
    }
  }

  /** What is on disk now (other processes may share the file); nothing when unreadable. */
  private readOthers(): Map<string, CircuitSnapshot> {
    try {
      return parse(readFileSync(this.path, 'utf8')).breakers;
    } catch {
      return new Map();
    }
  }
}

/** A store that keeps breaker state in one JSON file at `path`; see `FileStoreOptions`. */
export function fileStore(path: string, options: FileStoreOptions = {}): FileStore {
  return new JsonFileStore(path, options);
}
