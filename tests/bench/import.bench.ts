/**
 * WFDB import speed: all 48 MIT-BIH records read fully (digital, both channels: 62.4 million samples from
 * 93.6 MB of format-212 data). Reported: a fresh process (Node start + tsx + import + one pass, what a CLI
 * user waits for), the first pass in this process (cold JIT), and the median of warm passes; plus opening
 * alone, random 10-second windows and the 48 annotation files.
 *
 * The WFDB C library (rdsamp-style reading of the same 48 records) is given as reference context: ≈ 0.6 s
 * on this machine class; the ratio column is our time / 0.6 s.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openWfdbRecord, readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { MITDB_RECORDS, mitdbRecord, HAVE_MITDB, MITDB_DIR, REPO_ROOT } from '../helpers/data.js';
import { time, type BenchTable } from './table.js';

const WFDB_C_SECONDS = 0.6;

async function readAll(): Promise<number> {
  let samples = 0;
  for (const name of MITDB_RECORDS) {
    const src = await openWfdbRecord(mitdbRecord(name));
    const rec = await src.read();
    for (const s of rec.signals) samples += s.samples.length;
  }
  return samples;
}

/** A child process that starts Node + tsx, imports the reader and reads everything once; wall time. */
async function freshProcessMs(): Promise<number> {
  const script = `
    import { openWfdbRecord } from ${JSON.stringify(join(REPO_ROOT, 'src-main/formats/wfdb/index.ts'))};
    import { MITDB_RECORDS } from ${JSON.stringify(join(REPO_ROOT, 'src-main/domain/mitdb.ts'))};
    for (const n of MITDB_RECORDS) await (await openWfdbRecord(${JSON.stringify(MITDB_DIR)} + '/' + n)).read();`;
  const t0 = performance.now();
  await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT });
  return performance.now() - t0;
}

export async function run(): Promise<BenchTable[]> {
  if (!HAVE_MITDB) return [{ title: 'WFDB import (skipped: MIT-BIH not found)', columns: ['note'], rows: [[MITDB_DIR]] }];
  const bytes = MITDB_RECORDS.reduce((s, n) => s + statSync(`${mitdbRecord(n)}.dat`).size, 0);
  const samples = 48 * 2 * 650000;

  const fresh: number[] = [];
  for (let i = 0; i < 3; i++) fresh.push(await freshProcessMs());
  fresh.sort((a, b) => a - b);

  const t0 = performance.now();
  const got = await readAll();
  const cold = performance.now() - t0;
  if (got !== samples) throw new Error(`read ${got} samples, expected ${samples}`);
  const warm = await time(readAll, 7, 1);

  const row = (what: string, ms: number, runs: string): (string | number)[] => [
    what, runs, ms / 1000, bytes / 1e6 / (ms / 1000), samples / 1e6 / (ms / 1000), (ms / 1000) / WFDB_C_SECONDS,
  ];

  const open = await time(async () => { for (const n of MITDB_RECORDS) await openWfdbRecord(mitdbRecord(n)); }, 7, 1);
  // 480 random 10-second windows, 10 per record: random access as the review app does it.
  const sources = await Promise.all(MITDB_RECORDS.map((n) => openWfdbRecord(mitdbRecord(n))));
  let seed = 1;
  const windows = await time(async () => {
    for (let k = 0; k < 480; k++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const from = seed % (650000 - 3600);
      await sources[k % 48].read({ from, to: from + 3600 });
    }
  }, 7, 1);
  let annotationCount = 0;
  const anns = await time(async () => {
    annotationCount = 0;
    for (const n of MITDB_RECORDS) annotationCount += (await readWfdbAnnotationFile(`${mitdbRecord(n)}.atr`)).length;
  }, 7, 1);

  return [
    {
      title: 'WFDB import: all 48 MIT-BIH records, full read (digital, 2 signals, 62.4 M samples, 93.6 MB)',
      columns: ['measurement', 'runs', 'seconds', 'MB/s', 'Msamples/s', '× WFDB C (0.6 s)'],
      rows: [
        row('fresh process: node + tsx + import + read all (median)', fresh[1], '3'),
        row('first pass in this process (cold JIT)', cold, '1'),
        row('warm pass (median)', warm.median, `${warm.runs.length}`),
        row('warm pass (min)', warm.min, `${warm.runs.length}`),
      ],
      notes: [
        `fresh-process runs: ${fresh.map((m) => (m / 1000).toFixed(2)).join(', ')} s; warm runs: ${warm.runs.map((m) => (m / 1000).toFixed(3)).join(', ')} s`,
        'WFDB C library time is reference context given for this machine class, not measured by this benchmark.',
        `machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) at the end of the run — other work on the machine inflates these times.`,
      ],
    },
    {
      title: 'WFDB import: other operations (48 records)',
      columns: ['operation', 'median ms', 'min ms'],
      rows: [
        ['open 48 records (headers + file sizes)', open.median, open.min],
        ['480 random 10-s windows (3600 samples × 2 signals)', windows.median, windows.min],
        [`decode 48 .atr files (${annotationCount} annotations)`, anns.median, anns.min],
      ],
    },
  ];
}
