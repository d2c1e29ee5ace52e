/**
 * Adapted models left behind by a crashed service: a new service removes the directories of processes that are
 * gone (named with their process id), keeps those of processes that still run, and removes unnamed (older-style)
 * directories only once they are a day old. Nothing else in the cache directory is touched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ADAPTED_PREFIX, sweepStaleAdaptRoots } from '../../src-main/services/adapted-models.js';
import { makeService } from './helpers.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A cache directory with a dead process's models, a live one's, two older-style ones and an unrelated folder. */
function cache(): { dir: string; dead: string; live: string; oldLegacy: string; newLegacy: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-review-sweep-'));
  dirs.push(dir);
  // A process that has exited: its pid is free (unless the system reuses it at once, which only keeps its folder).
  const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
  const dead = `${ADAPTED_PREFIX}${gone}-aB3dE9`, live = `${ADAPTED_PREFIX}${process.ppid}-Zz9yX1`;
  const oldLegacy = `${ADAPTED_PREFIX}Qw3rTy`, newLegacy = `${ADAPTED_PREFIX}As5dFg`;
  for (const d of [dead, live, oldLegacy, newLegacy, 'other']) {
    mkdirSync(join(dir, d, 'run-1234abcd'), { recursive: true });
    writeFileSync(join(dir, d, 'run-1234abcd', 'model.json'), '{}');
  }
  const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
  utimesSync(join(dir, oldLegacy), twoDaysAgo, twoDaysAgo);
  return { dir, dead, live, oldLegacy, newLegacy };
}

it("removes a gone process's adapted models, and older-style ones a day old; keeps a running process's and everything else", async () => {
  const c = cache();
  expect((await sweepStaleAdaptRoots(c.dir)).sort()).toEqual([c.dead, c.oldLegacy].sort());
  expect(readdirSync(c.dir).sort()).toEqual([c.live, c.newLegacy, 'other'].sort());
  expect(existsSync(join(c.dir, c.live, 'run-1234abcd', 'model.json'))).toBe(true);
  expect(await sweepStaleAdaptRoots(join(c.dir, 'missing'))).toEqual([]);
});

it('a new service sweeps its cache directory when it starts', async () => {
  const c = cache();
  const s = makeService({ cacheDir: c.dir });
  try {
    expect((await s.swept).sort()).toEqual([c.dead, c.oldLegacy].sort());
    expect(readdirSync(c.dir).sort()).toEqual([c.live, c.newLegacy, 'other'].sort());
  } finally {
    await s.dispose();
  }
});
