/**
 * Where a service keeps the models it adapted to patients: one directory per service in the cache directory,
 * named with the service's process id. A service removes its own directory when it is disposed; a crashed one
 * cannot, so each new service removes the directories of processes that no longer run. A directory of a
 * process that still runs (another window, another test worker) is left alone.
 */
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const ADAPTED_PREFIX = 'ecg-review-adapted-';
/** Directories from before the process id was in the name are removed once they are this old. */
const LEGACY_MAX_AGE_MS = 24 * 3600 * 1000;

export async function makeAdaptRoot(parent: string): Promise<string> {
  await mkdir(parent, { recursive: true });
  return mkdtemp(join(parent, `${ADAPTED_PREFIX}${process.pid}-`));
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // it runs, as another user
  }
}

/** Remove the adapted-model directories in `parent` left by processes that are gone; returns their names. */
export async function sweepStaleAdaptRoots(parent: string, alive: (pid: number) => boolean = processAlive, now = Date.now()): Promise<string[]> {
  let names: string[];
  try { names = await readdir(parent); } catch { return []; }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(ADAPTED_PREFIX)) continue;
    const m = /^(\d+)-/.exec(name.slice(ADAPTED_PREFIX.length));
    let stale: boolean;
    if (m) stale = Number(m[1]) !== process.pid && !alive(Number(m[1]));
    else stale = await stat(join(parent, name)).then((s) => now - s.mtimeMs > LEGACY_MAX_AGE_MS, () => false);
    if (!stale) continue;
    await rm(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
