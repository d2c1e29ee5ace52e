/**
 * QRS detection speed and memory.
 *
 *  1. All 48 MIT-BIH records (24 h of 2-lead ECG at 360 Hz, 62.4 M samples), already in memory as physical
 *     Float32 leads: the first (cold JIT) pass and the median of warm passes, wall and CPU time. Reference:
 *     WFDB's gqrs (C) takes ≈ 1.5 s for the same records on this machine class; ratio = ours / 1.5 s.
 *     The warm passes alternate with passes of the detector without its noise gate (`noiseGate: false`), to
 *     show what the gate costs.
 *  2. The 24-hour EDF+ Holter of tests/bench/holter.ts (the 48 records concatenated, 31.2 M samples per lead)
 *     detected by `detectQrsInRecording` in a fresh process reading 60-s windows: wall time and the process's
 *     peak resident memory (target < 400 MB).
 *  3. Recordings without ECG: detections per minute without and with the noise gate (issue #3: pure noise must
 *     give no beats) — the NSTDB noise records alone, and 30 min of white / 5–30 Hz noise at 0.5 mV rms.
 *  4. The low-latency detector (FastQrsDetector, detect-qrs-fast.ts) on the same 48 records: time, gross EC57
 *     Se/+P (150 ms window), and in the lag table its delay from the R peak to the push that returns the beat.
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toPhysical } from '../../src-main/domain/recording.js';
import { isBeatSymbol, type Annotation } from '../../src-main/domain/annotation.js';
import { compareBeats } from '../../src-main/evaluation/ec57/index.js';
import { beatCounts } from '../../src-main/evaluation/ec57/stats.js';
import { readAnnotations } from '../../src-main/formats/index.js';
import { openWfdbRecord } from '../../src-main/formats/wfdb/index.js';
import { butterworthHighPass, butterworthLowPass, filtfilt } from '../../src-main/signal/biquad.js';
import { detectQrs, detectQrsFast, detectQrsLive, FastQrsDetector, QrsDetector } from '../../src-main/signal/index.js';
import { HAVE_MITDB, MITDB_DIR, MITDB_RECORDS, mitdbRecord, NSTDB_DIR, REPO_ROOT } from '../helpers/data.js';
import { gaussian } from '../signal/records.js';
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
  const atrs: Annotation[][] = [];
  for (const name of MITDB_RECORDS) {
    const src = await openWfdbRecord(mitdbRecord(name));
    records.push((await src.read()).signals.map((s) => toPhysical(s)));
    atrs.push(await readAnnotations(src, 'atr'));
    await src.close();
  }
  let beats = 0;
  const all = (): void => { beats = 0; for (const leads of records) beats += detectQrs(leads, 360).length; };
  let rawBeats = 0;
  const allRaw = (): void => { rawBeats = 0; for (const leads of records) rawBeats += detectQrs(leads, 360, { noiseGate: false }).length; };
  const cold = measure(all);
  const warm: Cost[] = [];
  const warmRaw: Cost[] = [];
  for (let i = 0; i < 5; i++) { warm.push(measure(all)); warmRaw.push(measure(allRaw)); }
  const median = (runs: Cost[], k: keyof Cost): number => runs.map((c) => c[k]).sort((a, b) => a - b)[2];
  const med = (k: keyof Cost): number => median(warm, k);
  const samples = records.reduce((s, l) => s + l[0].length * l.length, 0);
  const rows: (string | number)[][] = [
    ['48 records, first pass (cold)', cold.wallMs / 1000, cold.cpuMs / 1000, samples / (cold.wallMs / 1000) / 1e6, cold.wallMs / 1000 / GQRS_SECONDS, cold.cpuMs / 1000 / GQRS_SECONDS],
    ['48 records, warm (median of 5)', med('wallMs') / 1000, med('cpuMs') / 1000, samples / (med('wallMs') / 1000) / 1e6, med('wallMs') / 1000 / GQRS_SECONDS, med('cpuMs') / 1000 / GQRS_SECONDS],
    ['  the same without the noise gate', median(warmRaw, 'wallMs') / 1000, median(warmRaw, 'cpuMs') / 1000, samples / (median(warmRaw, 'wallMs') / 1000) / 1e6, median(warmRaw, 'wallMs') / 1000 / GQRS_SECONDS, median(warmRaw, 'cpuMs') / 1000 / GQRS_SECONDS],
  ];
  const gateNote = `Noise gate: ${rawBeats - beats} of ${rawBeats} detections dropped on the 48 records.`;
  const fast = fastTable(records, atrs, samples);
  const lag = await lagTable(records, atrs);
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
      notes: [`${beats} beats detected. ${gateNote} Load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores; other work on the machine inflates wall time, and CPU time somewhat). Target: < 3 s.`],
    },
    {
      title: 'QRS detection: 24-hour EDF+ Holter, streamed in 60-s windows (fresh process)',
      columns: ['samples per lead', 'beats', 'wall s', 'peak RSS MB', 'target MB'],
      rows: [[holter.length, holter.beats, holter.wall / 1000, holter.maxRssKb / 1024, 400]],
      notes: ['Peak RSS is the whole process: Node, tsx, the EDF reader and the detector (whose rings are fixed-size).'],
    },
    await noiseTable(),
    fast,
    lag,
  ];
}

/** The low-latency detector on the 48 records: time (cold and warm) and gross EC57 Se/+P. */
function fastTable(records: Float32Array[][], atrs: Annotation[][], samples: number): BenchTable {
  let tp = 0, fn = 0, fp = 0;
  const all = (score: boolean): void => {
    records.forEach((leads, i) => {
      const beats = detectQrsFast(leads, 360);
      if (!score) return;
      const c = compareBeats(atrs[i], Array.from(beats, (sample) => ({ sample, symbol: 'N', code: 1, subtype: 0, chan: 0, num: 0, aux: '' })), { fs: 360, startSeconds: 0, recordLength: leads[0].length });
      const k = beatCounts(c.counts);
      tp += k.qrsTP; fn += k.qrsFN; fp += k.qrsFP;
    });
  };
  const cold = measure(() => all(false));
  const warm: Cost[] = [];
  for (let i = 0; i < 3; i++) warm.push(measure(() => all(false)));
  warm.sort((a, b) => a.wallMs - b.wallMs);
  all(true);
  const row = (what: string, c: Cost): (string | number)[] => [what, c.wallMs / 1000, c.cpuMs / 1000, samples / (c.wallMs / 1000) / 1e6, (100 * tp) / (tp + fn), (100 * tp) / (tp + fp)];
  return {
    title: 'Low-latency QRS detection (FastQrsDetector, 30 ms decision delay): 48 MIT-BIH records in memory',
    columns: ['run', 'wall s', 'CPU s', 'M samples/s (wall)', 'Se %', '+P %'],
    rows: [row('48 records, first pass (cold)', cold), row('48 records, warm (median of 3)', warm[1])],
    notes: [`EC57 gross, 150 ms window, whole records, both leads: TP ${tp} FN ${fn} FP ${fp}. No noise gate, no search-back: a beat is returned at most 30 ms after its R peak (see the lag table).`],
  };
}

/**
 * How long after an R peak's sample arrives the streaming detector emits the beat (what a live monitor waits for
 * before any classification): records streamed in 10-ms chunks; counted in samples, so it does not vary with load.
 */
async function lagTable(records: Float32Array[][], atrs: Annotation[][]): Promise<BenchTable> {
  const fs = 360, step = Math.round(fs / 100);
  const rows: (string | number)[][] = [];
  for (const name of ['100', '208'] as const) {
    const leads = records[MITDB_RECORDS.indexOf(name)];
    const ref = Int32Array.from(atrs[MITDB_RECORDS.indexOf(name)].filter((a) => isBeatSymbol(a.symbol)).map((a) => a.sample));
    for (const gate of [false, true]) {
      const det = new QrsDetector(fs, leads.length, gate ? {} : { noiseGate: false });
      const lag: number[] = [];
      for (let a = 0; a < leads[0].length; a += step) {
        const b = Math.min(leads[0].length, a + step);
        for (const beat of det.push(leads.map((l) => l.subarray(a, b)))) lag.push(((b - 1 - beat) / fs) * 1000);
      }
      lag.sort((x, y) => x - y);
      const q = (p: number): number => lag[Math.floor(p * (lag.length - 1))];
      rows.push([name, gate ? 'with noise gate' : 'detector alone', lag.length, q(0), q(0.5), q(0.95)]);
    }
    // FastQrsDetector: from the reference (atr) R peak matched within 150 ms to the push that returned the beat,
    // in 10-ms chunks and one sample at a time
    for (const chunk of [step, 1]) {
      const det = new FastQrsDetector(fs, leads.length);
      const lag: number[] = [];
      const at = (beat: number, b: number): void => {
        let lo = 0, hi = ref.length - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (ref[mid] < beat) lo = mid + 1; else hi = mid; }
        let r = ref[lo];
        if (lo > 0 && Math.abs(ref[lo - 1] - beat) < Math.abs(r - beat)) r = ref[lo - 1];
        if (Math.abs(r - beat) <= 0.15 * fs) lag.push(((b - 1 - r) / fs) * 1000);
      };
      for (let a = 0; a < leads[0].length; a += chunk) {
        const b = Math.min(leads[0].length, a + chunk);
        for (const beat of det.push(leads.map((l) => l.subarray(a, b)))) at(beat, b);
      }
      lag.sort((x, y) => x - y);
      const q = (p: number): number => lag[Math.floor(p * (lag.length - 1))];
      rows.push([name, `FastQrsDetector, ${chunk === 1 ? '1-sample' : '10-ms'} chunks`, lag.length, q(0), q(0.5), q(0.95)]);
    }
  }
  return {
    title: 'QRS detection streamed (10-ms chunks): lag from the R peak\'s sample to the detector\'s output, ms',
    columns: ['record', 'detector', 'beats', 'min', 'p50', 'p95'],
    rows,
    notes: ['The detector confirms a QRS once its search window after the peak has passed; the noise gate then judges each detection on the 5 s after it. A live label cannot come sooner than this.',
      'FastQrsDetector rows: lag from the matched reference (atr) R peak to the last sample of the push that returned the beat (its contract: ≤ 30 ms after its own fiducial, plus up to one chunk).'],
  };
}

/** Detections per minute in recordings that hold no ECG, without and with the noise gate. */
async function noiseTable(): Promise<BenchTable> {
  const fs = 360, n = 30 * 60 * fs;
  const g = gaussian(1);
  const white = [0, 1].map(() => Float32Array.from({ length: n }, () => 0.5 * g()));
  const band = white.map((x) => {
    const y = filtfilt([...butterworthHighPass(5, fs, 2), ...butterworthLowPass(30, fs, 4)], x);
    let s = 0;
    for (const v of y) s += v * v;
    const k = 0.5 / Math.sqrt(s / y.length);
    return Float32Array.from(y, (v) => v * k);
  });
  const inputs: [string, Float32Array[]][] = [
    ['white noise, 0.5 mV rms, 2 leads', white],
    ['white noise, 1 lead', [white[0]]],
    ['5–30 Hz noise, 0.5 mV rms, 2 leads', band],
    ['5–30 Hz noise, 1 lead', [band[0]]],
    ['flat line, 2 leads', [new Float32Array(n), new Float32Array(n)]],
  ];
  for (const k of ['ma', 'em', 'bw']) {
    const src = await openWfdbRecord(join(NSTDB_DIR, k));
    inputs.push([`NSTDB ${k} (${{ ma: 'muscle', em: 'electrode motion', bw: 'baseline wander' }[k]}), 2 leads`, (await src.read()).signals.map((s) => toPhysical(s))]);
    await src.close();
  }
  const rows = inputs.map(([what, leads]) => {
    const minutes = leads[0].length / fs / 60;
    return [what, minutes, detectQrs(leads, fs, { noiseGate: false }).length / minutes, detectQrs(leads, fs).length / minutes, detectQrsFast(leads, fs).length / minutes, detectQrsLive(leads, fs).length / minutes];
  });
  return {
    title: 'QRS detection on recordings without ECG: detections per minute',
    columns: ['recording', 'minutes', 'detector alone', 'with noise gate', 'FastQrsDetector', 'live (fast + causal gate)'],
    rows,
    notes: ['NSTDB em is not rejected: its electrode-motion artefacts recur with a ~1 s period and a stable shape, which a shape-recurrence index cannot tell from heartbeats.',
      'FastQrsDetector alone has no noise gate: white noise and flat lines give (almost) no beats because it starts from a high QRS level, but recorded muscle and motion noise do. The live detector (detect-qrs-live.ts, what causal models use) adds the causal gate: each detection judged on the 10 s before it, released at once.'],
  };
}
