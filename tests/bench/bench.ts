/**
 * `npm run bench`: every `tests/bench/*.bench.ts` module exports `run(): Promise<BenchTable[]>`; this prints
 * their tables. Timings live here, never in pass/fail tests. `npm run bench -- import detect` runs a subset.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printTable, type BenchTable } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { run: () => Promise<BenchTable[]> };
  const tables = await mod.run();
  for (const t of tables) printTable(t);
}
