/**
 * Per-class figures of a beat classifier from EC57 bxb count matrices (rows N S V F Q O X, columns n s v f q o x):
 * the figures of de Chazal et al. 2004's tables — Se and +P of N, S, V and F, accuracy over the N S V F rows,
 * macro-F1 — with record-bootstrap intervals (bootstrap.ts), so that "98.8 against 99.2" is read with its
 * uncertainty.
 */
import { recordBootstrap, type BootstrapOptions, type Interval } from './bootstrap.js';
import { grossStatistics } from './ec57/stats.js';
import { EvaluationError } from './errors.js';

export const FIGURE_CLASSES = ['N', 'S', 'V', 'F'] as const;
export type FigureClass = (typeof FIGURE_CLASSES)[number];

export interface ClassFigures { se: number | null; ppv: number | null; f1: number | null; support: number }

export interface Figures {
  /** Rows reference N S V F, columns predicted n s v f q (Q rows and the O, X columns are not figures). */
  confusion: number[][];
  perClass: Record<FigureClass, ClassFigures>;
  accuracy: number | null;
  /** Mean F1 over the classes present (N, S, V, F). */
  macroF1: number | null;
}

/** Figures from a summed bxb 7×7 matrix. */
export function figuresFromCounts(counts: ArrayLike<number>): Figures {
  const at = (r: number, c: number): number => counts[r * 7 + c];
  const confusion = FIGURE_CLASSES.map((_, r) => [0, 1, 2, 3, 4].map((c) => at(r, c)));
  const perClass = {} as Record<FigureClass, ClassFigures>;
  let correct = 0;
  let total = 0;
  const f1s: number[] = [];
  FIGURE_CLASSES.forEach((c, k) => {
    const tp = at(k, k);
    const support = [0, 1, 2, 3, 4].reduce((a, j) => a + at(k, j), 0);
    const predicted = [0, 1, 2, 3, 4].reduce((a, i) => a + at(i, k), 0);
    const se = support ? (100 * tp) / support : null;
    const ppv = predicted ? (100 * tp) / predicted : null;
    const f1 = se !== null && ppv !== null && se + ppv > 0 ? (2 * se * ppv) / (se + ppv) : se !== null ? 0 : null;
    perClass[c] = { se, ppv, f1, support };
    if (f1 !== null) f1s.push(f1);
    correct += tp;
    total += support;
  });
  return { confusion, perClass, accuracy: total ? (100 * correct) / total : null, macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : null };
}

/** Mean F1 of N, S and V (percent): the figure model selection and the compression bar use. */
export function macroF1NSV(f: Pick<Figures, 'perClass'>): number | null {
  const v = (['N', 'S', 'V'] as const).map((c) => f.perClass[c].f1);
  return v.every((x) => x !== null) ? (v as number[]).reduce((a, b) => a + b, 0) / 3 : null;
}

export type FigureKey = `${FigureClass}.${'se' | 'ppv'}` | 'accuracy' | 'macroF1NSV';

export interface FigureIntervals {
  method: string;
  draws: number;
  level: number;
  seed: number;
  records: number;
  intervals: Record<FigureKey, Interval | null>;
}

function figureValues(counts: ArrayLike<number>): Record<FigureKey, number | null> {
  const f = figuresFromCounts(counts);
  const out = {} as Record<FigureKey, number | null>;
  for (const c of FIGURE_CLASSES) { out[`${c}.se`] = f.perClass[c].se; out[`${c}.ppv`] = f.perClass[c].ppv; }
  out.accuracy = f.accuracy;
  out.macroF1NSV = macroF1NSV(f);
  return out;
}

/** Intervals of every figure, resampling records (`perRecord`: one bxb 7×7 matrix per record). */
export function figureIntervals(perRecord: readonly ArrayLike<number>[], opts: BootstrapOptions = {}): FigureIntervals {
  const b = recordBootstrap(perRecord, figureValues, opts);
  return {
    method: `percentile bootstrap over records: ${b.units} records resampled with replacement, ${b.draws} draws, seed ${b.seed}`,
    draws: b.draws, level: b.level, seed: b.seed, records: b.units, intervals: b.intervals,
  };
}

export type DifferenceKey = 'accuracy' | 'macroF1NSV' | 'N.ppv' | 'N.se' | 'S.se' | 'S.ppv' | 'V.se' | 'V.ppv';

export interface FigureDifferences {
  method: string;
  level: number;
  /** A − B at the point (percentage points) and its interval. */
  point: Record<DifferenceKey, number | null>;
  intervals: Record<DifferenceKey, Interval | null>;
}

/** A − B of two summed bxb matrices' figures, in percentage points (the point a paired interval is around). */
export function figureDifferences(a: ArrayLike<number>, b: ArrayLike<number>): Record<DifferenceKey, number | null> {
  const va = figureValues(a), vb = figureValues(b);
  const out = {} as Record<DifferenceKey, number | null>;
  for (const k of ['accuracy', 'macroF1NSV', 'N.se', 'N.ppv', 'S.se', 'S.ppv', 'V.se', 'V.ppv'] as const) {
    const x = va[k], y = vb[k];
    out[k] = x === null || y === null ? null : x - y;
  }
  return out;
}

/**
 * Paired intervals of the differences A − B between two classifiers scored on the same records: each draw resamples
 * the records once and scores both models on that same draw, so the record-to-record variation both share cancels
 * (their separate intervals overlap far more than the difference's).
 */
export function figureDifferenceIntervals(perRecordA: readonly ArrayLike<number>[], perRecordB: readonly ArrayLike<number>[], opts: BootstrapOptions = {}): FigureDifferences {
  if (perRecordA.length !== perRecordB.length) throw new EvaluationError(`paired bootstrap needs the same records for both models (${perRecordA.length} vs ${perRecordB.length})`);
  const units = perRecordA.map((a, i) => { const u = new Float64Array(98); u.set(Array.from(a), 0); u.set(Array.from(perRecordB[i]), 49); return u; });
  const b = recordBootstrap(units, (sum) => figureDifferences(sum.subarray(0, 49), sum.subarray(49)), opts);
  const sumA = new Float64Array(49), sumB = new Float64Array(49);
  perRecordA.forEach((a, i) => { for (let j = 0; j < 49; j++) { sumA[j] += a[j]; sumB[j] += perRecordB[i][j]; } });
  return {
    method: `paired percentile bootstrap over records: ${b.units} records resampled with replacement, both models scored on each draw, ${b.draws} draws, seed ${b.seed}`,
    level: b.level, point: figureDifferences(sumA, sumB), intervals: b.intervals,
  };
}

export type GrossKey = 'qrsSensitivity' | 'qrsPositivePredictivity' | 'vebSensitivity' | 'vebPositivePredictivity' | 'svebSensitivity' | 'svebPositivePredictivity';
const GROSS_KEYS: readonly GrossKey[] = ['qrsSensitivity', 'qrsPositivePredictivity', 'vebSensitivity', 'vebPositivePredictivity', 'svebSensitivity', 'svebPositivePredictivity'];

/** EC57's gross QRS, VEB and SVEB Se and +P (as sumstats sums records) with record-bootstrap intervals. */
export function grossIntervals(perRecord: readonly ArrayLike<number>[], opts: BootstrapOptions = {}): { method: string; level: number; intervals: Record<GrossKey, Interval | null> } {
  const b = recordBootstrap(perRecord, (sum) => {
    const g = grossStatistics(Int32Array.from(sum));
    return Object.fromEntries(GROSS_KEYS.map((k) => [k, g[k]])) as Record<GrossKey, number | null>;
  }, opts);
  return { method: `percentile bootstrap over records: ${b.units} records resampled with replacement, ${b.draws} draws, seed ${b.seed}`, level: b.level, intervals: b.intervals };
}
