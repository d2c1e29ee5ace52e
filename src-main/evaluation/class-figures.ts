/**
 * Per-class figures of a beat classifier from EC57 bxb count matrices (rows N S V F Q O X, columns n s v f q o x):
 * the figures of de Chazal et al. 2004's tables — Se and +P of N, S, V and F, accuracy over the N S V F rows,
 * macro-F1 — with record-bootstrap intervals (bootstrap.ts), so that "98.8 against 99.2" is read with its
 * uncertainty.
 */
import { recordBootstrap, type BootstrapOptions, type Interval } from './bootstrap.js';

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
