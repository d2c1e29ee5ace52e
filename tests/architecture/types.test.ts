/**
 * The whole tree type-checks, as `npm run typecheck` and the renderer's config check it: the core, the agent and
 * the tests under Node's config; the renderer, the API contract and the renderer's tests and fakes under the
 * browser's; and the Svelte components themselves (svelte-check, which tsc cannot do). CI runs only `npm test`, so without this a type error — a fake that no longer fits the contract, say —
 * could land while every test still ran.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/data.js';

const run = promisify(execFile);
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const SVELTE_CHECK = join(REPO_ROOT, 'node_modules', 'svelte-check', 'bin', 'svelte-check');

for (const config of ['tsconfig.node.json', 'tsconfig.web.json']) {
  it(`tsc -p ${config} finds no type error`, async () => {
    const r = await run(process.execPath, [TSC, '-p', config, '--noEmit', '--pretty', 'false'], { cwd: REPO_ROOT, maxBuffer: 1 << 24 }).then(
      (x) => ({ code: 0, out: x.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(r.out.split('\n').filter((l) => l.includes('error TS')).slice(0, 20)).toEqual([]);
    expect(r.code).toBe(0);
  }, 180_000);
}

it('svelte-check finds no error or warning in the Svelte components', async () => {
  const r = await run(process.execPath, [SVELTE_CHECK, '--tsconfig', './tsconfig.web.json', '--output', 'machine', '--fail-on-warnings'], { cwd: REPO_ROOT, maxBuffer: 1 << 24 }).then(
    (x) => ({ code: 0, out: x.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );
  expect(r.out.split('\n').filter((l) => / (ERROR|WARNING) /.test(l)).slice(0, 20)).toEqual([]);
  expect(r.out).toMatch(/COMPLETED \d+ FILES 0 ERRORS 0 WARNINGS/);
  expect(r.code).toBe(0);
}, 180_000);
