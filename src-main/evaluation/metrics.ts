/**
 * Classification metrics over beats, from true and predicted class indices (AAMI order N S V F Q by default)
 * and optional per-class probabilities. Pure functions over typed arrays; undefined ratios (0/0) are null.
 *
 * ROC/PR: one-vs-rest, thresholds at the distinct scores, ties handled by moving all tied beats at once (so the
 * ROC AUC equals the Mann–Whitney U statistic with ties counted ½, and average precision is the
 * step-function sum Σ (Rₙ − Rₙ₋₁)·Pₙ of scikit-learn, without interpolation).
 * McNemar (1947), with the exact binomial test for few discordant pairs and the continuity-corrected
 * χ² (Edwards 1948) otherwise.
 */
import { EvaluationError } from './errors.js';

export interface ConfusionMatrix {
  /** Number of classes k. */
  classes: number;
  /** k×k counts, row-major: row = true class, column = predicted class. */
  counts: Int32Array;
}

function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new EvaluationError(`${what}: ${a.length} true labels but ${b.length} predictions`);
}

export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes = 5): ConfusionMatrix {
  checkSameLength(truth, predicted, 'confusion matrix');
  const counts = new Int32Array(classes * classes);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i], p = predicted[i];
    if (!(t >= 0 && t < classes && Number.isInteger(t))) throw new EvaluationError(`true label ${t} at index ${i} is not a class index 0..${classes - 1}`);
    if (!(p >= 0 && p < classes && Number.isInteger(p))) throw new EvaluationError(`prediction ${p} at index ${i} is not a class index 0..${classes - 1}`);
    counts[t * classes + p]++;
  }
  return { classes, counts };
}

export interface ClassMetrics {
  /** Beats of this class in the truth (TP + FN) and in the predictions (TP + FP). */
  support: number;
  predicted: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Recall, TP/(TP+FN). */
  sensitivity: number | null;
  /** TN/(TN+FP). */
  specificity: number | null;
  /** Positive predictivity (+P), TP/(TP+FP). */
  precision: number | null;
  f1: number | null;
}

export interface ClassificationReport {
  total: number;
  accuracy: number | null;
  perClass: ClassMetrics[];
  /** Mean F1 over the classes present in the truth (support > 0). */
  macroF1: number | null;
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

export function classMetrics(m: ConfusionMatrix, c: number): ClassMetrics {
  const k = m.classes;
  let support = 0, predicted = 0, total = 0;
  for (let j = 0; j < k; j++) {
    support += m.counts[c * k + j];
    predicted += m.counts[j * k + c];
  }
  for (let i = 0; i < m.counts.length; i++) total += m.counts[i];
  const tp = m.counts[c * k + c];
  const fn = support - tp, fp = predicted - tp, tn = total - tp - fn - fp;
  const sensitivity = ratio(tp, tp + fn);
  const precision = ratio(tp, tp + fp);
  // F1 = 2TP/(2TP+FP+FN): defined (0) even when precision is undefined but the class is present.
  const f1 = ratio(2 * tp, 2 * tp + fp + fn);
  return { support, predicted, tp, fp, fn, tn, sensitivity, specificity: ratio(tn, tn + fp), precision, f1 };
}

/** Mean F1 over `subset` of class indices (default: the classes present in the truth). */
export function macroF1(m: ConfusionMatrix, subset?: readonly number[]): number | null {
  const classes = subset ?? [...Array(m.classes).keys()].filter((c) => classMetrics(m, c).support > 0);
  let s = 0, n = 0;
  for (const c of classes) {
    const f = classMetrics(m, c).f1;
    if (f !== null) { s += f; n++; }
  }
  return n > 0 ? s / n : null;
}

export function classificationReport(m: ConfusionMatrix): ClassificationReport {
  let total = 0, correct = 0;
  for (let i = 0; i < m.classes; i++) for (let j = 0; j < m.classes; j++) {
    total += m.counts[i * m.classes + j];
    if (i === j) correct += m.counts[i * m.classes + j];
  }
  const perClass = [...Array(m.classes).keys()].map((c) => classMetrics(m, c));
  return { total, accuracy: ratio(correct, total), perClass, macroF1: macroF1(m) };
}

/** Scores of class c from a row-major n×k probability matrix. */
export function classScores(probabilities: ArrayLike<number>, classes: number, c: number): Float64Array {
  if (probabilities.length % classes !== 0) throw new EvaluationError(`probability matrix of length ${probabilities.length} is not n×${classes}`);
  const n = probabilities.length / classes;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = probabilities[i * classes + c];
  return out;
}

/** Indicator of class c among true labels. */
export function isClass(truth: ArrayLike<number>, c: number): Uint8Array {
  const out = new Uint8Array(truth.length);
  for (let i = 0; i < truth.length; i++) out[i] = truth[i] === c ? 1 : 0;
  return out;
}

interface Steps { tps: Float64Array; fps: Float64Array; thresholds: Float64Array; positives: number; negatives: number }

/** Cumulative TP/FP counts at each distinct score, highest first (ties grouped). */
function thresholdSteps(positive: ArrayLike<number | boolean>, scores: ArrayLike<number>): Steps {
  checkSameLength(positive, scores, 'ROC/PR');
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) throw new EvaluationError(`score at index ${i} is NaN`);
  order.sort((x, y) => scores[y] - scores[x]);
  const tps: number[] = [], fps: number[] = [], thr: number[] = [];
  let tp = 0, fp = 0;
  for (let i = 0; i < n; i++) {
    if (positive[order[i]]) tp++; else fp++;
    if (i === n - 1 || scores[order[i + 1]] !== scores[order[i]]) {
      tps.push(tp); fps.push(fp); thr.push(scores[order[i]]);
    }
  }
  return { tps: Float64Array.from(tps), fps: Float64Array.from(fps), thresholds: Float64Array.from(thr), positives: tp, negatives: fp };
}

export interface RocCurve {
  /** Points from (0,0) to (1,1); point i > 0 classifies score ≥ thresholds[i−1] as positive. */
  fpr: Float64Array;
  tpr: Float64Array;
  thresholds: Float64Array;
  /** Trapezoidal area; null when there are no positives or no negatives. */
  auc: number | null;
}

export function rocCurve(positive: ArrayLike<number | boolean>, scores: ArrayLike<number>): RocCurve {
  const s = thresholdSteps(positive, scores);
  const m = s.thresholds.length;
  const fpr = new Float64Array(m + 1), tpr = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    fpr[i + 1] = s.negatives > 0 ? s.fps[i] / s.negatives : NaN;
    tpr[i + 1] = s.positives > 0 ? s.tps[i] / s.positives : NaN;
  }
  let auc: number | null = null;
  if (s.positives > 0 && s.negatives > 0) {
    auc = 0;
    for (let i = 1; i <= m; i++) auc += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
  }
  return { fpr, tpr, thresholds: s.thresholds, auc };
}

export interface PrCurve {
  /** Point i classifies score ≥ thresholds[i] as positive. */
  precision: Float64Array;
  recall: Float64Array;
  thresholds: Float64Array;
  /** Σ (Rᵢ − Rᵢ₋₁)·Pᵢ with R₋₁ = 0; null when there are no positives. */
  averagePrecision: number | null;
}

export function prCurve(positive: ArrayLike<number | boolean>, scores: ArrayLike<number>): PrCurve {
  const s = thresholdSteps(positive, scores);
  const m = s.thresholds.length;
  const precision = new Float64Array(m), recall = new Float64Array(m);
  let ap = 0, prevR = 0;
  for (let i = 0; i < m; i++) {
    precision[i] = s.tps[i] / (s.tps[i] + s.fps[i]);
    recall[i] = s.positives > 0 ? s.tps[i] / s.positives : NaN;
    if (s.positives > 0) { ap += (recall[i] - prevR) * precision[i]; prevR = recall[i]; }
  }
  return { precision, recall, thresholds: s.thresholds, averagePrecision: s.positives > 0 ? ap : null };
}

/** One-vs-rest ROC and PR curves of every class, from row-major n×k probabilities. */
export function oneVsRestCurves(truth: ArrayLike<number>, probabilities: ArrayLike<number>, classes = 5): { roc: RocCurve; pr: PrCurve }[] {
  if (probabilities.length !== truth.length * classes) {
    throw new EvaluationError(`probabilities hold ${probabilities.length} values, expected ${truth.length}×${classes}`);
  }
  return [...Array(classes).keys()].map((c) => {
    const pos = isClass(truth, c);
    const sc = classScores(probabilities, classes, c);
    return { roc: rocCurve(pos, sc), pr: prCurve(pos, sc) };
  });
}

/** erfc by Numerical Recipes' Chebyshev fit (fractional error < 1.2e-7), enough for p-values. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Upper tail of χ² with one degree of freedom. */
export function chiSquare1Sf(x: number): number {
  return x <= 0 ? 1 : erfc(Math.sqrt(x / 2));
}

export interface McNemarResult {
  /** Beats classifier A got right and B wrong (b), and the reverse (c). */
  b: number;
  c: number;
  method: 'exact' | 'chi-square';
  /** χ² with continuity correction, or min(b, c) for the exact test. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
}

/**
 * McNemar's test of two classifiers on the same beats. Exact two-sided binomial test (p = 2·P[X ≤ min(b,c)],
 * X ~ Bin(b+c, ½), capped at 1) when b + c < `exactBelow` (default 25), else (|b − c| − 1)²/(b + c) against χ²₁.
 */
export function mcnemar(truth: ArrayLike<number>, predA: ArrayLike<number>, predB: ArrayLike<number>, exactBelow = 25): McNemarResult {
  checkSameLength(truth, predA, 'McNemar (classifier A)');
  checkSameLength(truth, predB, 'McNemar (classifier B)');
  let b = 0, c = 0;
  for (let i = 0; i < truth.length; i++) {
    const okA = predA[i] === truth[i], okB = predB[i] === truth[i];
    if (okA && !okB) b++;
    else if (!okA && okB) c++;
  }
  return mcnemarFromCounts(b, c, exactBelow);
}

export function mcnemarFromCounts(b: number, c: number, exactBelow = 25): McNemarResult {
  const n = b + c;
  if (n < exactBelow) {
    const k = Math.min(b, c);
    // Σ_{i≤k} C(n,i)/2ⁿ, with the binomial coefficients built incrementally in log space.
    let logC = 0, tail = 0;
    for (let i = 0; i <= k; i++) {
      if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
      tail += Math.exp(logC - n * Math.LN2);
    }
    return { b, c, method: 'exact', statistic: k, pValue: Math.min(1, 2 * tail) };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, method: 'chi-square', statistic, pValue: chiSquare1Sf(statistic) };
}

export interface MeanSd {
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null for fewer than two values. */
  sd: number | null;
}

/** Mean ± sd of fold results, ignoring null/NaN entries (a fold where a metric is undefined). */
export function meanSd(values: ArrayLike<number | null>): MeanSd {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && !Number.isNaN(v)) xs.push(v);
  }
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { n, mean, sd: null };
  const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { n, mean, sd: Math.sqrt(v) };
}

/** Mean ± sd of each named metric over folds. */
export function aggregateFolds<K extends string>(folds: readonly Readonly<Record<K, number | null>>[]): Record<K, MeanSd> {
  const out = {} as Record<K, MeanSd>;
  if (folds.length === 0) return out;
  for (const key of Object.keys(folds[0]) as K[]) out[key] = meanSd(folds.map((f) => f[key]));
  return out;
}

export interface ClassifierEvaluation {
  matrix: ConfusionMatrix;
  report: ClassificationReport;
  /** Macro-F1 over N, S, V (indices 0, 1, 2 in AAMI order), the classes EC57 reports on. */
  macroF1NSV: number | null;
  /** One-vs-rest curves per class, when probabilities were given. */
  curves?: { roc: RocCurve; pr: PrCurve }[];
}

/** Everything above for one classifier on one set of beats (AAMI class indices, optional n×k probabilities). */
export function evaluateClassifier(truth: ArrayLike<number>, predicted: ArrayLike<number>, probabilities?: ArrayLike<number>, classes = 5): ClassifierEvaluation {
  const matrix = confusionMatrix(truth, predicted, classes);
  return {
    matrix,
    report: classificationReport(matrix),
    macroF1NSV: macroF1(matrix, [0, 1, 2].filter((c) => c < classes)),
    ...(probabilities ? { curves: oneVsRestCurves(truth, probabilities, classes) } : {}),
  };
}
