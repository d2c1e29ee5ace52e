/**
 * QRS detection speed and memory.
 *
 *  1. All 48 MIT-BIH records (24 h of 2-lead ECG at 360 Hz, 62.4 M samples), already in memory as physical
 *     Float32 leads: the first (cold JIT) pass and the median of warm passes, wall and CPU time. Reference:
 *     WFDB's gqrs (C) takes ≈ 1.5 s for the same records on this machine class; ratio = ours / 1.5 s.
 *  2. The 24-hour EDF+ Holter of tests/bench/holter.ts (the 48 records concatenated, 31.2 M samples per lead)
 *     detected by `detectQrsInRecording` in a fresh process reading 60-s windows: wall time and the process's
 *     peak resident memory (target < 400 MB).
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toPhysical } from '../../src-main/domain/recording.js';
import { openWfdbRecord } from '../../src-main/formats/wfdb/index.js';
import { detectQrs } from '../../src-main/signal/index.js';
import { HAVE_MITDB, MITDB_DIR, MITDB_RECORDS, mitdbRecord, REPO_ROOT } from '../helpers/data.js';
import { makeHolterEdf } from './holter.js';
import type { BenchTable } from './table.js';

const GQRS_SECONDS = 1.5;

interface Cost { wallMs: number; cpuMs: number }
function measure(fn: () => void): Cost {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

export async function run(): Promise<BenchTable[]> {
  if (!HAVE_MITDB) return [{ title: 'QRS detection (skipped: MIT-BIH not found)', columns: ['note'], rows: [[MITDB_DIR]] }];
  const records: Float32Array[][] = [];
  for (const name of MITDB_RECORDS) {
    const src = await openWfdbRecord(mitdbRecord(name));
    records.push((await src.read()).signals.map((s) => toPhysical(s)));
    await src.close();
  }
  let beats = 0;
  const all = (): void => { beats = 0; for (const leads of records) beats += detectQrs(leads, 360).length; };
  const cold = measure(all);
  const warm: Cost[] = [];
  for (let i = 0; i < 5; i++) warm.push(measure(all));
  const med = (k: keyof Cost): number => warm.map((c) => c[k]).sort((a, b) => a - b)[2];
  const samples = records.reduce((s, l) => s + l[0].length * l.length, 0);
  const rows: (string | number)[][] = [
    ['48 records, first pass (cold)', cold.wallMs / 1000, cold.cpuMs / 1000, samples / (cold.wallMs / 1000) / 1e6, cold.wallMs / 1000 / GQRS_SECONDS, cold.cpuMs / 1000 / GQRS_SECONDS],
    ['48 records, warm (median of 5)', med('wallMs') / 1000, med('cpuMs') / 1000, samples / (med('wallMs') / 1000) / 1e6, med('wallMs') / 1000 / GQRS_SECONDS, med('cpuMs') / 1000 / GQRS_SECONDS],
  ];
  records.length = 0;

  // Peak memory on the 24-hour EDF, in a fresh process so that nothing else counts.
  const edf = await makeHolterEdf();
  const script = `
    import { openRecording } from ${JSON.stringify(join(REPO_ROOT, 'src-main/formats/index.ts'))};
    import { detectQrsInRecording } from ${JSON.stringify(join(REPO_ROOT, 'src-main/signal/detect-recording.ts'))};
    const t0 = performance.now();
    const src = await openRecording(${JSON.stringify(edf)});
    const beats = await detectQrsInRecording(src);
    await src.close();
    const wall = performance.now() - t0;
    console.log(JSON.stringify({ beats: beats.length, wall, maxRssKb: process.resourceUsage().maxRSS, length: src.info.length }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, maxBuffer: 1 << 20 });
  const holter = JSON.parse(stdout.trim().split('\n').pop()!) as { beats: number; wall: number; maxRssKb: number; length: number };
  return [
    {
      title: 'QRS detection: 48 MIT-BIH records in memory (62.4 M samples, 2 leads × 360 Hz × 24 h)',
      columns: ['run', 'wall s', 'CPU s', 'M samples/s (wall)', 'wall / gqrs 1.5 s', 'CPU / gqrs 1.5 s'],
      rows,
      notes: [`${beats} beats detected. Load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores; other work on the machine inflates wall time, and CPU time somewhat). Target: < 3 s.`],
    },
    {
      title: 'QRS detection: 24-hour EDF+ Holter, streamed in 60-s windows (fresh process)',
      columns: ['samples per lead', 'beats', 'wall s', 'peak RSS MB', 'target MB'],
      rows: [[holter.length, holter.beats, holter.wall / 1000, holter.maxRssKb / 1024, 400]],
      notes: ['Peak RSS is the whole process: Node, tsx, the EDF reader and the detector (whose rings are fixed-size).'],
    },
  ];
}
