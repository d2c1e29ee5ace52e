// SPDX-License-Identifier: GPL-2.0-or-later
// Derived from the WFDB Software Package (app/bxb.c, app/sumstats.c), Copyright (C) George B. Moody,
// GPL-2.0-or-later: this file follows their logic line by line and is distributed under the same licence.
/**
 * EC57 statistics from bxb confusion matrices: per record as `bxb` prints them (app/bxb.c, `print_results`),
 * and over records as `sumstats` prints them from bxb's line-format files (app/sumstats.c): "gross" = sum the
 * counts over records, then take ratios; "average" = mean of the per-record ratios over the records whose
 * denominator is not zero. Every statistic is a percentage, or null where bxb/sumstats print "-".
 *
 * Where the two programs differ we follow each one: bxb's per-record SVEB +P counts Fs in the false
 * positives (SFP = Ns+Vs+Fs+Os+Xs), sumstats (reading the `Fs'` column it ignores) does not.
 * VEB FPR is bxb `-l`'s and sumstats type-1's (the SVEB-blind report: S rows/columns merged into N).
 * SVEB FPR is not in WFDB; it is defined here by analogy with VEB FPR: SFP / (SFP + STN), STN = reference
 * N, V, F, Q, O, X rows × test n, v, f, q columns.
 */
import type { BxbComparison } from './compare.js';
import type { BxbLabel } from './labels.js';
import { BXB_LABELS } from './labels.js';

export interface BeatStatistics {
  qrsSensitivity: number | null;
  qrsPositivePredictivity: number | null;
  vebSensitivity: number | null;
  vebPositivePredictivity: number | null;
  vebFalsePositiveRate: number | null;
  svebSensitivity: number | null;
  svebPositivePredictivity: number | null;
  svebFalsePositiveRate: number | null;
  /** RMS RR-interval error in ms (per record) or the mean of the per-record values (average). */
  rrErrorMs: number | null;
}

/** The counts behind the statistics (bxb's names). */
export interface BeatCounts {
  qrsTP: number; qrsFN: number; qrsFP: number;
  vebTP: number; vebFN: number; vebFP: number; vebTN: number;
  svebTP: number; svebFN: number; svebFP: number; svebTN: number;
}

type Cell = (r: BxbLabel, c: BxbLabel) => number;
const R = BXB_LABELS;

function cellOf(counts: Int32Array): Cell {
  return (r, c) => counts[R.indexOf(r) * 7 + R.indexOf(c)];
}

/** pstat: 100·a/b, undefined when b ≤ 0. */
function pct(a: number, b: number): number | null {
  return b <= 0 ? null : (100 * a) / b;
}

function sum(m: Cell, rows: readonly BxbLabel[], cols: readonly BxbLabel[]): number {
  let s = 0;
  for (const r of rows) for (const c of cols) s += m(r, c);
  return s;
}

const BEATS: readonly BxbLabel[] = ['N', 'S', 'V', 'F', 'Q'];
const PSEUDO: readonly BxbLabel[] = ['O', 'X'];

/** bxb.c print_results: QTP, QFN, QFP, VTP, VFN, VTN, VFP, STP, SFN, SFP (+ STN by analogy). */
export function beatCounts(counts: Int32Array): BeatCounts {
  const m = cellOf(counts);
  return {
    qrsTP: sum(m, BEATS, BEATS),
    qrsFN: sum(m, BEATS, PSEUDO),
    qrsFP: sum(m, PSEUDO, BEATS),
    vebTP: m('V', 'V'),
    vebFN: sum(m, ['V'], ['N', 'S', 'F', 'Q', 'O', 'X']),
    vebTN: sum(m, ['N', 'S', 'F', 'Q', 'O', 'X'], ['N', 'S', 'F', 'Q']),
    vebFP: sum(m, ['N', 'S', 'O', 'X'], ['V']),
    svebTP: m('S', 'S'),
    svebFN: sum(m, ['S'], ['N', 'V', 'F', 'Q', 'O', 'X']),
    svebFP: sum(m, ['N', 'V', 'F', 'O', 'X'], ['S']),
    svebTN: sum(m, ['N', 'V', 'F', 'Q', 'O', 'X'], ['N', 'V', 'F', 'Q']),
  };
}

/** RMS RR error in ms as bxb prints it: sqrt(ssrre/nrre)·1000/strtim("1"). */
export function rrErrorMs(c: Pick<BxbComparison, 'rrErrorSumSquares' | 'rrErrorCount' | 'fs'>): number | null {
  if (c.rrErrorCount === 0) return null;
  return (Math.sqrt(c.rrErrorSumSquares / c.rrErrorCount) * 1000) / Math.trunc(c.fs + 0.5);
}

/** Statistics of one record, as bxb prints them. */
export function recordStatistics(c: BxbComparison): BeatStatistics {
  const k = beatCounts(c.counts);
  return {
    qrsSensitivity: pct(k.qrsTP, k.qrsTP + k.qrsFN),
    qrsPositivePredictivity: pct(k.qrsTP, k.qrsTP + k.qrsFP),
    vebSensitivity: pct(k.vebTP, k.vebTP + k.vebFN),
    vebPositivePredictivity: pct(k.vebTP, k.vebTP + k.vebFP),
    vebFalsePositiveRate: pct(k.vebFP, k.vebTN + k.vebFP),
    svebSensitivity: pct(k.svebTP, k.svebTP + k.svebFN),
    svebPositivePredictivity: pct(k.svebTP, k.svebTP + k.svebFP),
    svebFalsePositiveRate: pct(k.svebFP, k.svebTN + k.svebFP),
    rrErrorMs: rrErrorMs(c),
  };
}

/**
 * The columns of bxb's `-L` line format (what sumstats reads), primes merging cells:
 * Nn' = Nn+Nf+Nq, Fn' = Fn+Ff+Fq+Qn+Qf+Qq, On' = On+Of+Oq+Xn+Xf+Xq, Fs' = Fs+Qs, Os' = Os+Xs, Fv' = Fv+Qv,
 * Ov' = Ov+Xv, No' = No+Nx, Fo' = Fo+Fx+Qo+Qx.
 */
export interface LineColumns {
  Nn: number; Sn: number; Vn: number; Fn: number; On: number;
  Ns: number; Ss: number; Vs: number; Fs: number; Os: number;
  Nv: number; Sv: number; Vv: number; Fv: number; Ov: number;
  No: number; So: number; Vo: number; Fo: number;
}

export function lineColumns(counts: Int32Array): LineColumns {
  const m = cellOf(counts);
  return {
    Nn: m('N', 'N') + m('N', 'F') + m('N', 'Q'),
    Sn: m('S', 'N') + m('S', 'F') + m('S', 'Q'),
    Vn: m('V', 'N') + m('V', 'F') + m('V', 'Q'),
    Fn: m('F', 'N') + m('F', 'F') + m('F', 'Q') + m('Q', 'N') + m('Q', 'F') + m('Q', 'Q'),
    On: m('O', 'N') + m('O', 'F') + m('O', 'Q') + m('X', 'N') + m('X', 'F') + m('X', 'Q'),
    Ns: m('N', 'S'), Ss: m('S', 'S'), Vs: m('V', 'S'), Fs: m('F', 'S') + m('Q', 'S'), Os: m('O', 'S') + m('X', 'S'),
    Nv: m('N', 'V'), Sv: m('S', 'V'), Vv: m('V', 'V'), Fv: m('F', 'V') + m('Q', 'V'), Ov: m('O', 'V') + m('X', 'V'),
    No: m('N', 'O') + m('N', 'X'), So: m('S', 'O') + m('S', 'X'), Vo: m('V', 'O') + m('V', 'X'),
    Fo: m('F', 'O') + m('F', 'X') + m('Q', 'O') + m('Q', 'X'),
  };
}

/** The `-l` (SVEB-blind) columns sumstats type 1 uses for VEB FPR: nn' fn' on' nv ov'. */
function fprColumns(counts: Int32Array): { nn: number; fn: number; on: number; nv: number; ov: number } {
  const m = cellOf(counts);
  return {
    nn: sum(m, ['N', 'S'], ['N', 'S', 'F', 'Q']),
    fn: sum(m, ['F', 'Q'], ['N', 'S', 'F', 'Q']),
    on: sum(m, ['O', 'X'], ['N', 'S', 'F', 'Q']),
    nv: m('N', 'V') + m('S', 'V'),
    ov: m('O', 'V') + m('X', 'V'),
  };
}

/** Round as C's printf("%.*f") does (the exact binary value; exact ties to even). */
export function formatFixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  if (!Number.isFinite(x) || x === 0) return s;
  // Detect an exact tie: x·10^digits·2 is an odd integer. toFixed rounds ties away from zero, glibc to even.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const bits = buf.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (expBits !== 0) mant |= 1n << 52n;
  const exp = (expBits === 0 ? 1 : expBits) - 1075; // |x| = mant · 2^exp
  if (exp >= 0) return s; // an integer: never a tie at digits ≥ 0
  const num = mant * 2n * 10n ** BigInt(digits);
  const den = 1n << BigInt(-exp);
  if (num % den !== 0n) return s;
  const q = num / den;
  if (q % 2n === 0n) return s;
  // Tie: round half to even instead of away from zero.
  const half = (q - 1n) / 2n; // the candidate below
  const chosen = half % 2n === 0n ? half : half + 1n;
  const str = chosen.toString().padStart(digits + 1, '0');
  const body = digits > 0 ? `${str.slice(0, -digits)}.${str.slice(-digits)}` : str;
  return x < 0 ? `-${body}` : body;
}

export interface RecordSummary {
  record: string;
  comparison: BxbComparison;
}

export interface Ec57Summary {
  /** Records summarised (sumstats' nrec). */
  records: number;
  /** Sum of the line-format columns over records (sumstats' "Sum" line). */
  sum: LineColumns;
  /** Sum of the full 7×7 matrices. */
  counts: Int32Array;
  gross: BeatStatistics;
  average: BeatStatistics;
  /** sumstats' closing line: total QRS complexes, VEBs and SVEBs in the reference. */
  totalQrs: number;
  totalVeb: number;
  totalSveb: number;
}

/**
 * The counts behind sumstats' gross VEB and SVEB figures, from a (summed) 7×7 matrix: VEB TP = Vv, FN = Vn+Vs+Vo,
 * FP = Nv+Sv+Ov; VEB TN = nn'+fn'+on' of the SVEB-blind `-l` columns (for FPR = FP / (TN + FP)); SVEB TP = Ss,
 * FN = Sn+Sv+So, FP = Ns+Vs+Os' (sumstats leaves Fs' out, where bxb's per-record SFP keeps it).
 */
export interface GrossBeatCounts {
  vebTP: number; vebFN: number; vebFP: number; vebTN: number;
  svebTP: number; svebFN: number; svebFP: number;
}

export function grossBeatCounts(total: Int32Array): GrossBeatCounts {
  const s = lineColumns(total);
  const f = fprColumns(total);
  return {
    vebTP: s.Vv, vebFN: s.Vn + s.Vs + s.Vo, vebFP: f.nv + f.ov, vebTN: f.nn + f.fn + f.on,
    svebTP: s.Ss, svebFN: s.Sn + s.Sv + s.So, svebFP: s.Ns + s.Vs + s.Os,
  };
}

/**
 * sumstats' gross statistics from the summed 7×7 matrix of the records. Every column it sums is a sum of cells,
 * so summing the matrices first gives the same figures; record bootstraps (`evaluate --ci`) resample that sum.
 */
export function grossStatistics(total: Int32Array): BeatStatistics {
  const s = lineColumns(total);
  const g = grossBeatCounts(total);
  const qtp = s.Nn + s.Ns + s.Nv + s.Sn + s.Ss + s.Sv + s.Vn + s.Vs + s.Vv + s.Fn + s.Fs + s.Fv;
  const qfn = s.No + s.So + s.Vo + s.Fo;
  const qfp = s.On + s.Os + s.Ov;
  const kt = beatCounts(total);
  return {
    qrsSensitivity: pct(qtp, qtp + qfn),
    qrsPositivePredictivity: pct(qtp, qtp + qfp),
    // Vv / (Vn+Vs+Vv+Vo), Vv / (Nv+Sv+Vv+Ov) (Nv+Sv+Ov = nv+ov of the -l columns), (nv+ov) / (nn'+fn'+on'+nv+ov')
    vebSensitivity: pct(g.vebTP, g.vebTP + g.vebFN),
    vebPositivePredictivity: pct(g.vebTP, g.vebTP + g.vebFP),
    vebFalsePositiveRate: pct(g.vebFP, g.vebTN + g.vebFP),
    // Ss / (Sn+Ss+Sv+So), Ss / (Ns+Ss+Vs+Os')
    svebSensitivity: pct(g.svebTP, g.svebTP + g.svebFN),
    svebPositivePredictivity: pct(g.svebTP, g.svebTP + g.svebFP),
    svebFalsePositiveRate: pct(kt.svebFP, kt.svebTN + kt.svebFP),
    rrErrorMs: null,
  };
}

/** Aggregate statistics over records, as sumstats prints them for a bxb `-L` file (and type 1 for VEB FPR). */
export function summarizeRecords(comparisons: readonly BxbComparison[]): Ec57Summary {
  const s: LineColumns = { Nn: 0, Sn: 0, Vn: 0, Fn: 0, On: 0, Ns: 0, Ss: 0, Vs: 0, Fs: 0, Os: 0, Nv: 0, Sv: 0, Vv: 0, Fv: 0, Ov: 0, No: 0, So: 0, Vo: 0, Fo: 0 };
  const total = new Int32Array(49);
  const acc = { qs: 0, nqs: 0, qp: 0, nqp: 0, vs: 0, nvs: 0, vp: 0, nvp: 0, ss: 0, nss: 0, sp: 0, nsp: 0, rre: 0, nrre: 0, vf: 0, nvf: 0, sf: 0, nsf: 0 };
  for (const c of comparisons) {
    for (let i = 0; i < 49; i++) total[i] += c.counts[i];
    const l = lineColumns(c.counts);
    for (const k of Object.keys(s) as (keyof LineColumns)[]) s[k] += l[k];
    // sumstats.c unpack(), case 4.
    const qtp = l.Nn + l.Ns + l.Nv + l.Sn + l.Ss + l.Sv + l.Vn + l.Vs + l.Vv + l.Fn + l.Fs + l.Fv;
    const qfn = l.No + l.So + l.Vo + l.Fo;
    const qfp = l.On + l.Os + l.Ov;
    if (qtp + qfn) { acc.qs += qtp / (qtp + qfn); acc.nqs++; }
    if (qtp + qfp) { acc.qp += qtp / (qtp + qfp); acc.nqp++; }
    if (l.Vn + l.Vs + l.Vv + l.Vo) { acc.vs += l.Vv / (l.Vn + l.Vs + l.Vv + l.Vo); acc.nvs++; }
    if (l.Nv + l.Sv + l.Vv + l.Ov) { acc.vp += l.Vv / (l.Nv + l.Sv + l.Vv + l.Ov); acc.nvp++; }
    if (l.Sn + l.Ss + l.Sv + l.So) { acc.ss += l.Ss / (l.Sn + l.Ss + l.Sv + l.So); acc.nss++; }
    if (l.Ns + l.Ss + l.Vs + l.Os) { acc.sp += l.Ss / (l.Ns + l.Ss + l.Vs + l.Os); acc.nsp++; }
    // sumstats reads the RR error back from bxb's printed "%6.2f" text.
    const rre = rrErrorMs(c);
    if (rre !== null) { acc.rre += Number(formatFixed(rre, 2)); acc.nrre++; }
    // sumstats.c unpack(), case 1 (bxb -l line): VEB FPR.
    const f = fprColumns(c.counts);
    if (f.nn + f.fn + f.on + f.nv + f.ov) { acc.vf += (f.nv + f.ov) / (f.nn + f.fn + f.on + f.nv + f.ov); acc.nvf++; }
    // SVEB FPR by analogy (not in sumstats).
    const k = beatCounts(c.counts);
    if (k.svebTN + k.svebFP) { acc.sf += k.svebFP / (k.svebTN + k.svebFP); acc.nsf++; }
  }
  const gross = grossStatistics(total);
  // sumstats pstat(" %6.2f", C, N) prints 100·C/N; its RR column passes CRRE/100.
  const average: BeatStatistics = {
    qrsSensitivity: pct(acc.qs, acc.nqs),
    qrsPositivePredictivity: pct(acc.qp, acc.nqp),
    vebSensitivity: pct(acc.vs, acc.nvs),
    vebPositivePredictivity: pct(acc.vp, acc.nvp),
    vebFalsePositiveRate: pct(acc.vf, acc.nvf),
    svebSensitivity: pct(acc.ss, acc.nss),
    svebPositivePredictivity: pct(acc.sp, acc.nsp),
    svebFalsePositiveRate: pct(acc.sf, acc.nsf),
    rrErrorMs: pct(acc.rre / 100, acc.nrre),
  };
  return {
    records: comparisons.length,
    sum: s,
    counts: total,
    gross,
    average,
    // sumstats' total QRS: every reference beat (QRS true positives and false negatives).
    totalQrs: s.Nn + s.Ns + s.Nv + s.Sn + s.Ss + s.Sv + s.Vn + s.Vs + s.Vv + s.Fn + s.Fs + s.Fv + s.No + s.So + s.Vo + s.Fo,
    totalVeb: s.Vn + s.Vs + s.Vv + s.Vo,
    totalSveb: s.Sn + s.Ss + s.Sv + s.So,
  };
}
