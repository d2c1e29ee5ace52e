/**
 * EC57 comparison on real MIT-BIH reference annotations: each record against itself, and against perturbed
 * copies whose expected bxb matrix is computed here independently, beat by beat.
 */
import { expect, it } from 'vitest';
import type { Annotation } from '../../src-main/domain/annotation.js';
import { compareBeats, recordStatistics, summarizeRecords, type BxbComparison } from '../../src-main/evaluation/ec57/index.js';
import { openRecording } from '../../src-main/formats/index.js';
import { readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { describeMitdb, MITDB_RECORDS, mitdbRecord } from '../helpers/data.js';

/** bxb's SVEB-mode classes of the MIT beat symbols (bxb.c amap), written out independently of the code. */
const CLASS: Record<string, string> = {
  N: 'N', L: 'N', R: 'N', B: 'N', a: 'S', J: 'S', A: 'S', S: 'S', j: 'S', e: 'S', n: 'S',
  V: 'V', r: 'V', E: 'V', F: 'F', Q: 'Q', '/': 'Q', f: 'Q', '?': 'Q', '!': 'O',
};
const ROWS = 'NSVFQOX';

interface Loaded { name: string; fs: number; length: number; atr: Annotation[] }

async function load(name: string): Promise<Loaded> {
  const src = await openRecording(mitdbRecord(name));
  try {
    return { name, fs: src.info.fs, length: src.info.length, atr: await readWfdbAnnotationFile(`${mitdbRecord(name)}.atr`) };
  } finally {
    await src.close();
  }
}

/** Reference beats bxb counts: beat symbols at or after `start`, outside [ … ] (ventricular flutter) episodes. */
function countedBeats(atr: Annotation[], start: number): Annotation[] {
  const out: Annotation[] = [];
  let inVf = false;
  for (const a of atr) {
    if (a.symbol === '[') inVf = true;
    else if (a.symbol === ']') inVf = false;
    else if (!inVf && CLASS[a.symbol] && a.sample >= start) out.push(a);
  }
  return out;
}

function matrixOf(pairs: [string, string][]): Int32Array {
  const m = new Int32Array(49);
  for (const [r, t] of pairs) if (!(ROWS.indexOf(r) >= 5 && ROWS.indexOf(t) >= 5)) m[ROWS.indexOf(r) * 7 + ROWS.indexOf(t)]++;
  return m;
}

describeMitdb('EC57 on MIT-BIH: reference against itself', () => {
  it('every record pairs every counted beat with itself (all TP, Se = +P = 100, RR error 0), from 0 and from 5 min', async () => {
    for (const name of MITDB_RECORDS) {
      const r = await load(name);
      for (const startSeconds of [0, 300]) {
        const c = compareBeats(r.atr, r.atr, { fs: r.fs, recordLength: r.length, startSeconds });
        const start = Math.trunc(startSeconds * r.fs + 0.5);
        const expected = matrixOf(countedBeats(r.atr, start).map((a) => [CLASS[a.symbol], CLASS[a.symbol]]));
        expect(Array.from(c.counts), `${name} from ${startSeconds} s`).toEqual(Array.from(expected));
        const s = recordStatistics(c);
        expect(s.qrsSensitivity).toBe(100);
        expect(s.qrsPositivePredictivity).toBe(100);
        if (s.vebSensitivity !== null) expect(s.vebSensitivity).toBe(100);
        if (s.svebPositivePredictivity !== null) expect(s.svebPositivePredictivity).toBe(100);
        expect(s.vebFalsePositiveRate ?? 0).toBe(0);
        expect(s.rrErrorMs ?? 0).toBe(0);
      }
    }
  });
});

/**
 * A perturbed copy of the reference beats (non-beat annotations dropped, as a detector's output has none):
 * some beats shifted by ±20 samples, some deleted, some V relabelled N and some N relabelled V, and some extra
 * beats inserted half-way between two beats. The expected bxb pairs follow beat by beat.
 */
function perturb(r: Loaded, start: number): { test: Annotation[]; expected: Int32Array; missed: number; extra: number } {
  const beats = countedBeats(r.atr, 0);
  const dt = Math.trunc(0.15 * r.fs + 0.5);
  // Reference shutdown stretches (noise with both signals unreadable) up to the next noise annotation.
  const shutdown: [number, number][] = [];
  r.atr.forEach((a, i) => {
    if (a.symbol === '~' && (a.subtype & 0x30) === 0x30) {
      const next = r.atr.slice(i + 1).find((b) => b.symbol === '~');
      shutdown.push([a.sample - r.fs, (next?.sample ?? r.length) + r.fs]);
    }
  });
  const inShutdown = (s: number): boolean => shutdown.some(([a, b]) => s >= a && s <= b);
  const test: Annotation[] = [];
  const pairs: [string, string][] = [];
  let missed = 0, extra = 0;
  for (let i = 0; i < beats.length; i++) {
    const b = beats[i];
    const prevRr = i > 0 ? b.sample - beats[i - 1].sample : Infinity;
    const nextRr = i + 1 < beats.length ? beats[i + 1].sample - b.sample : Infinity;
    // Only where neighbours are far enough that a change cannot make another beat the better match.
    const roomy = Math.min(prevRr, nextRr) > 3 * dt && b.sample > start + r.fs;
    const cls = CLASS[b.symbol];
    if (roomy && i % 37 === 5) {
      missed++;
      pairs.push([cls, 'O']);
    } else {
      let symbol = b.symbol;
      if (roomy && cls === 'V' && i % 3 === 0) symbol = 'N';
      else if (roomy && cls === 'N' && i % 41 === 7) symbol = 'V';
      const delta = roomy && i % 10 === 2 ? 20 : roomy && i % 10 === 7 ? -20 : 0;
      test.push({ ...b, sample: b.sample + delta, symbol, code: 0, subtype: 0, aux: '' });
      if (b.sample >= start) pairs.push([cls, CLASS[symbol]]);
    }
    if (roomy && i % 50 === 25 && nextRr > 2 * dt + 10) {
      const mid = b.sample + Math.floor(nextRr / 2);
      if (!inShutdown(mid)) {
        extra++;
        test.push({ sample: mid, symbol: 'N', code: 0, subtype: 0, chan: 0, num: 0, aux: '' });
        pairs.push(['O', 'N']);
      }
    }
  }
  test.sort((x, y) => x.sample - y.sample);
  return { test, expected: matrixOf(pairs), missed, extra };
}

describeMitdb('EC57 on MIT-BIH: reference against a perturbed copy', () => {
  it('counts shifted beats as matches, deletions as o, extras as O and relabelled beats off the diagonal', async () => {
    const all: BxbComparison[] = [];
    for (const name of ['119', '208', '105', '233']) {
      const r = await load(name);
      for (const startSeconds of [0, 300]) {
        const start = Math.trunc(startSeconds * r.fs + 0.5);
        const p = perturb(r, start);
        expect(p.missed).toBeGreaterThan(10);
        expect(p.extra).toBeGreaterThan(10);
        const c = compareBeats(r.atr, p.test, { fs: r.fs, recordLength: r.length, startSeconds });
        expect(Array.from(c.counts), `${name} from ${startSeconds} s`).toEqual(Array.from(p.expected));
        if (startSeconds === 300) all.push(c);
      }
    }
    // Gross QRS Se over the four records is (sum of TP)/(sum of TP + FN), from the expected matrices.
    const s = summarizeRecords(all);
    let tp = 0, fn = 0;
    for (const c of all) for (let r = 0; r < 5; r++) for (let k = 0; k < 7; k++) {
      if (k < 5) tp += c.counts[r * 7 + k]; else fn += c.counts[r * 7 + k];
    }
    expect(s.gross.qrsSensitivity).toBeCloseTo((100 * tp) / (tp + fn), 10);
    expect(s.gross.qrsSensitivity!).toBeLessThan(100);
    expect(s.gross.vebSensitivity!).toBeLessThan(100);
  });
});
