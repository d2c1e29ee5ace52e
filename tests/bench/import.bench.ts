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

interface Cost { wallMs: number; cpuMs: number }

/** A child process that starts Node + tsx, imports the reader and reads everything once; it reports its CPU time. */
async function freshProcess(read = true): Promise<Cost> {
  const script = `
    import { openWfdbRecord } from ${JSON.stringify(join(REPO_ROOT, 'src-main/formats/wfdb/index.ts'))};
    import { MITDB_RECORDS } from ${JSON.stringify(join(REPO_ROOT, 'src-main/domain/mitdb.ts'))};
    if (${read}) for (const n of MITDB_RECORDS) await (await openWfdbRecord(${JSON.stringify(MITDB_DIR)} + '/' + n)).read();
    const c = process.cpuUsage();
    console.log(JSON.stringify((c.user + c.system) / 1000));`;
  const t0 = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT });
  return { wallMs: performance.now() - t0, cpuMs: Number(stdout.trim()) };
}

/** Wall and CPU (user + system) time of one call. */
async function cost(fn: () => Promise<unknown>): Promise<Cost> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<BenchTable[]> {
  if (!HAVE_MITDB) return [{ title: 'WFDB import (skipped: MIT-BIH not found)', columns: ['note'], rows: [[MITDB_DIR]] }];
  const bytes = MITDB_RECORDS.reduce((s, n) => s + statSync(`${mitdbRecord(n)}.dat`).size, 0);
  const samples = 48 * 2 * 650000;

  const fresh: Cost[] = [];
  const startOnly: Cost[] = [];
  for (let i = 0; i < 3; i++) {
    fresh.push(await freshProcess());
    startOnly.push(await freshProcess(false));
  }

  let got = 0;
  const cold = await cost(async () => { got = await readAll(); });
  if (got !== samples) throw new Error(`read ${got} samples, expected ${samples}`);
  const warm: Cost[] = [];
  for (let i = 0; i < 7; i++) warm.push(await cost(readAll));

  const row = (what: string, runs: number, c: Cost): (string | number)[] => [
    what, runs, c.wallMs / 1000, c.cpuMs / 1000, bytes / 1e6 / (c.wallMs / 1000), samples / 1e6 / (c.wallMs / 1000), (c.wallMs / 1000) / WFDB_C_SECONDS,
  ];
  const med = (cs: Cost[]): Cost => ({ wallMs: median(cs.map((c) => c.wallMs)), cpuMs: median(cs.map((c) => c.cpuMs)) });
  const best = (cs: Cost[]): Cost => cs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));

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
      columns: ['measurement', 'runs', 'wall s', 'CPU s', 'MB/s', 'Msamples/s', '× WFDB C (0.6 s)'],
      rows: [
        row('fresh process: node + tsx + import + read all (median)', fresh.length, med(fresh)),
        row('fresh process (fastest)', fresh.length, best(fresh)),
        ['  of which node + tsx + import alone, no reading (median)', startOnly.length, med(startOnly).wallMs / 1000, med(startOnly).cpuMs / 1000, '', '', ''],
        row('first pass in this process (cold JIT)', 1, cold),
        row('warm pass (median)', warm.length, med(warm)),
        row('warm pass (fastest)', warm.length, best(warm)),
      ],
      notes: [
        `fresh-process wall: ${fresh.map((c) => (c.wallMs / 1000).toFixed(2)).join(', ')} s; warm wall: ${warm.map((c) => (c.wallMs / 1000).toFixed(3)).join(', ')} s`,
        'MB/s, Msamples/s and the ratio use wall time. CPU s = user + system time of the process (the fresh process counts its whole life).',
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
