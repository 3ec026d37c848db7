import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * Calls `onChange` once after a burst of changes to `file` (editors write in bursts, or
 * replace the file by renaming over it, so the directory is watched). Returns a stop function.
 */
export function watchFile(file: string, onChange: () => void, debounceMs = 100): () => void {
  const path = resolve(file);
  const name = basename(path);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watcher: FSWatcher = watch(dirname(path), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
    timer.unref();
  });
  watcher.unref();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    watcher.close();
  };
}
