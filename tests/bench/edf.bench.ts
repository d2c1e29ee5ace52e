/**
 * EDF import on a 24-hour Holter (tests/bench/holter.ts: 48 MIT-BIH records concatenated, 2 × 31.2 M samples,
 * ≈ 125 MB of samples): full open + read (target < 2 s, peak RSS < 400 MB, measured in a child process) and a
 * 10 s window from the middle (target < 20 ms, median). `npm run bench -- edf`.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEdfRecording } from '../../src-main/formats/edf/index.js';
import { openRecording } from '../../src-main/formats/index.js';
import { writeIshne } from '../../src-main/formats/ishne/index.js';
import { makeHolterEdf } from './holter.js';
import { time, type BenchTable } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const runTs = join(here, '../../src-main/cli/run-ts.mjs');

function child(path: string, mode: 'full' | 'baseline'): Record<string, number> {
  const out = execFileSync(process.execPath, [runTs, join(here, 'import-read-child.ts'), path, mode], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
}

/** The 24 h Holter as ISHNE, and its first 2 hours as CSV (time + 2 leads in mV), written once to tmpdir. */
async function otherFormats(edfPath: string): Promise<{ ishne: string; csv: string }> {
  const ishne = join(tmpdir(), 'ecg-review-holter-24h.ecg');
  const csv = join(tmpdir(), 'ecg-review-holter-2h.csv');
  const src = await openEdfRecording(edfPath);
  if (!existsSync(ishne)) {
    await writeIshne(`${ishne}.tmp`, await src.read({ from: 0, to: 48 * 650_000 }));
    await import('node:fs/promises').then((f) => f.rename(`${ishne}.tmp`, ishne));
  }
  if (!existsSync(csv)) {
    const n = 2 * 3600 * 360;
    const w = await src.read({ from: 0, to: n });
    const out = createWriteStream(`${csv}.tmp`);
    out.write('time,ECG1 (mV),ECG2 (mV)\n');
    let chunk = '';
    for (let i = 0; i < n; i++) {
      chunk += `${(i / 360).toFixed(4)},${((w.signals[0].samples[i] - 1024) / 200).toFixed(3)},${((w.signals[1].samples[i] - 1024) / 200).toFixed(3)}\n`;
      if (chunk.length > 1 << 20) { if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r())); chunk = ''; }
    }
    out.write(chunk);
    await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
    await import('node:fs/promises').then((f) => f.rename(`${csv}.tmp`, csv));
  }
  return { ishne, csv };
}

async function windowMs(path: string): Promise<number> {
  const s = await openRecording(path);
  const win = 10 * s.info.fs;
  const mid = Math.floor(s.info.length / 2);
  let k = 0;
  return (await time(() => { const from = mid + (k++ % 10) * win; return s.read({ from, to: from + win }); }, 21, 3)).median;
}

export async function run(): Promise<BenchTable[]> {
  const t0 = performance.now();
  const path = await makeHolterEdf();
  const prepMs = performance.now() - t0;
  const sizeMb = statSync(path).size / 2 ** 20;

  const baseline = child(path, 'baseline');
  const fulls = [child(path, 'full'), child(path, 'full'), child(path, 'full')];
  const full = [...fulls].sort((a, b) => a.openMs + a.readMs - (b.openMs + b.readMs))[1];

  const src = await openEdfRecording(path);
  const mid = Math.floor(src.info.length / 2);
  const win = 10 * src.info.fs;
  let k = 0;
  // Successive windows step through the middle hour so no two runs read the same bytes.
  const window = await time(() => {
    const from = mid + (k++ % 50) * 7 * win;
    return src.read({ from, to: from + win });
  }, 21, 3);
  const open = await time(() => openEdfRecording(path), 11, 1);
  const annT0 = performance.now();
  const anns = await src.embeddedAnnotations();
  const annMs = performance.now() - annT0;

  const { ishne, csv } = await otherFormats(path);
  const others = [['ISHNE 24 h', ishne], ['CSV 2 h', csv]].map(([label, p]) => {
    return { label, p, r: child(p, 'full') };
  });
  const otherRows: (string | number)[][] = [];
  for (const o of others) {
    otherRows.push([o.label, Math.round(statSync(o.p).size / 2 ** 20), Math.round(o.r.openMs), Math.round(o.r.openMs + o.r.readMs), Math.round(o.r.cpuMs), Math.round(o.r.peakMb), Number((await windowMs(o.p)).toFixed(2))]);
  }

  return [{
    title: `EDF import: 24 h Holter (${(src.info.length / src.info.fs / 3600).toFixed(2)} h, ${src.info.signals.length} leads × ${src.info.length} samples at ${src.info.fs} Hz, ${sizeMb.toFixed(0)} MB file)`,
    columns: ['measure', 'value', 'target'],
    rows: [
      ['open + read all, ms (median of 3 child processes)', Math.round(full.openMs + full.readMs), '< 2000'],
      ['  of which open (header), ms', Number(full.openMs.toFixed(2)), ''],
      ['  CPU time (user + system) of open + read all, ms', Math.round(full.cpuMs), ''],
      ['peak RSS of the child reading all, MB', Math.round(full.peakMb), '< 400'],
      ['  child baseline RSS (node + tsx, nothing read), MB', Math.round(baseline.peakMb), ''],
      ['  samples returned, MB', Math.round(full.dataMb), ''],
      ['10 s window from the middle, ms (median of 21)', Number(window.median.toFixed(2)), '< 20'],
      ['  min / max, ms', `${window.min.toFixed(2)} / ${window.max.toFixed(2)}`, ''],
      ['open (header only), ms (median of 11)', Number(open.median.toFixed(2)), ''],
      [`embedded annotations (${anns.length}), ms`, Math.round(annMs), ''],
      ['building/checking the 24 h file, ms', Math.round(prepMs), ''],
    ],
    notes: [
      'File in os.tmpdir() is reused between runs; page cache is warm after the first run, so these are warm-cache figures.',
      `Machine load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' / ')} on ${cpus().length} cores (wall times inflate with load; CPU time much less).`,
    ],
  }, {
    title: 'Other importers on the same data (one child process per full read)',
    columns: ['file', 'MB', 'open ms', 'open + read all ms', 'CPU ms', 'peak RSS MB', '10 s window ms (median of 21)'],
    rows: otherRows,
    notes: ['CSV is parsed in full at open (streamed line by line into Int32 chunks), so its open time is the import time.'],
  }];
}
