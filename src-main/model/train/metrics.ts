/**
 * Beat-by-beat scores of a classifier when beats are the reference beats themselves (no matching needed), in the
 * shape the trainer, cross-validation and model cards use: percentages, NaN where a ratio is undefined. The
 * arithmetic is the evaluation module's (confusion matrix, per-class metrics, one-vs-rest ROC-AUC and average
 * precision with ties grouped); this file only adapts it.
 */
import { classMetrics, classScores, confusionMatrix, isClass, meanSd as foldMeanSd, prCurve, rocCurve } from '../../evaluation/metrics.js';

export interface ClassScores { se: number; sp: number; ppv: number; f1: number; auc: number; ap: number; support: number }

export interface Scores {
  classes: string[];
  /** confusion[reference][predicted] */
  confusion: number[][];
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassScores>;
}

const pct = (v: number | null): number => (v === null ? NaN : 100 * v);

/** Scores of predictions `pred` against `ref` (class indices, -1 = not counted), `probs` [n][classes] optional. */
export function scoreBeats(classes: readonly string[], ref: ArrayLike<number>, pred: ArrayLike<number>, probs?: Float32Array): Scores {
  const K = classes.length;
  const keep: number[] = [];
  for (let i = 0; i < ref.length; i++) if (ref[i] >= 0) keep.push(i);
  const truth = Int8Array.from(keep, (i) => ref[i]);
  const m = confusionMatrix(truth, Int8Array.from(keep, (i) => pred[i]), K);
  const kept = probs ? Float32Array.from({ length: keep.length * K }, (_, j) => probs[keep[Math.floor(j / K)] * K + (j % K)]) : null;
  const perClass: Record<string, ClassScores> = {};
  let f1sum = 0;
  let f1n = 0;
  let correct = 0;
  for (let k = 0; k < K; k++) {
    const c = classMetrics(m, k);
    correct += c.tp;
    let auc = NaN;
    let ap = NaN;
    if (kept) {
      const pos = isClass(truth, k);
      const s = classScores(kept, K, k);
      auc = rocCurve(pos, s).auc ?? NaN;
      ap = prCurve(pos, s).averagePrecision ?? NaN;
    }
    // F1 of a class absent from the reference is undefined and left out of the macro average.
    const f1 = c.support > 0 ? pct(c.f1) : NaN;
    perClass[classes[k]] = { se: pct(c.sensitivity), sp: pct(c.specificity), ppv: pct(c.precision), f1, auc, ap, support: c.support };
    if (!Number.isNaN(f1)) { f1sum += f1; f1n++; }
  }
  const confusion = Array.from({ length: K }, (_, i) => Array.from(m.counts.subarray(i * K, (i + 1) * K)));
  return { classes: [...classes], confusion, accuracy: keep.length ? (100 * correct) / keep.length : NaN, macroF1: f1n ? f1sum / f1n : NaN, perClass };
}

/** Mean and sample standard deviation over folds (NaN folds ignored; sd 0 for a single value). */
export function meanSd(v: number[]): { mean: number; sd: number } {
  const r = foldMeanSd(v);
  return { mean: r.mean ?? NaN, sd: r.mean === null ? NaN : (r.sd ?? 0) };
}
