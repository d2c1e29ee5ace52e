/**
 * Beat-by-beat comparison of a run against its reference, as ANSI/AAMI EC57 counts it: a detected beat matches a
 * reference beat within 150 ms; per-class sensitivity (Se), specificity (Sp), positive predictivity (+P) and F1
 * one-vs-rest; accuracy over matched beats; ROC and precision-recall one-vs-rest from the model's class
 * probabilities (Fawcett T. An introduction to ROC analysis. Pattern Recognit Lett 27:861-874, 2006).
 */
import { AAMI_LABELS, type AamiLabel, type ClassMetrics, type MetricsResult, type RocCurve } from '../api/contract.js';

export { matchBeats } from '../evaluation/match-beats.js';

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** Confusion matrix and per-class statistics from label strings (one char per beat; `-` skipped). */
export function classMetrics(reference: string, predicted: string): { confusion: number[][]; classes: ClassMetrics[]; beats: number; accuracy: number | null } {
  const idx = (c: string): number => AAMI_LABELS.indexOf(c as AamiLabel);
  const confusion = AAMI_LABELS.map(() => AAMI_LABELS.map(() => 0));
  let beats = 0, correct = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = idx(reference[i]), p = idx(predicted[i]);
    if (r < 0 || p < 0) continue;
    confusion[r][p]++;
    beats++;
    if (r === p) correct++;
  }
  const classes = AAMI_LABELS.map((label, k): ClassMetrics => {
    const tp = confusion[k][k];
    const fn = confusion[k].reduce((a, b) => a + b, 0) - tp;
    const fp = confusion.reduce((a, row) => a + row[k], 0) - tp;
    const tn = beats - tp - fn - fp;
    const se = ratio(tp, tp + fn), ppv = ratio(tp, tp + fp);
    return { label, tp, fn, fp, tn, se, sp: ratio(tn, tn + fp), ppv, f1: se !== null && ppv !== null && se + ppv > 0 ? (2 * se * ppv) / (se + ppv) : null };
  });
  return { confusion, classes, beats, accuracy: ratio(correct, beats) };
}

/** One-vs-rest ROC and PR curves of class `k` from probabilities (row-major, 5 per beat). */
export function rocCurve(reference: string, probs: ArrayLike<number>, k: number, maxPoints = 200): RocCurve {
  const label = AAMI_LABELS[k];
  const items: { s: number; pos: boolean }[] = [];
  for (let i = 0; i < reference.length; i++) {
    if (AAMI_LABELS.indexOf(reference[i] as AamiLabel) < 0) continue;
    items.push({ s: probs[i * AAMI_LABELS.length + k], pos: reference[i] === label });
  }
  items.sort((a, b) => b.s - a.s);
  const P = items.filter((x) => x.pos).length, N = items.length - P;
  const fpr = [0], tpr = [0], recall: number[] = [], precision: number[] = [];
  let tp = 0, fp = 0, auc = 0, prevF = 0, prevT = 0;
  const every = Math.max(1, Math.floor(items.length / maxPoints));
  for (let i = 0; i < items.length; i++) {
    if (items[i].pos) tp++; else fp++;
    const last = i === items.length - 1 || items[i + 1].s !== items[i].s;
    if (!last) continue;
    const f = N ? fp / N : 0, t = P ? tp / P : 0;
    auc += (f - prevF) * (t + prevT) / 2;
    prevF = f; prevT = t;
    if (i % every === 0 || i === items.length - 1) {
      fpr.push(f); tpr.push(t);
      if (P) { recall.push(t); precision.push(tp / (tp + fp)); }
    }
  }
  return { label, fpr, tpr, auc: P && N ? auc : NaN, recall, precision };
}

export function metricsResult(runId: string, ref: 'annotations' | 'corrected', corrections: number, reference: string, predicted: string, probs: ArrayLike<number> | null, qrs: MetricsResult['qrs']): MetricsResult {
  const m = classMetrics(reference, predicted);
  const roc = probs ? AAMI_LABELS.map((_, k) => rocCurve(reference, probs, k)).map((c) => ({ ...c, auc: Number.isFinite(c.auc) ? c.auc : -1 })) : [];
  return { runId, reference: ref, corrections, beats: m.beats, accuracy: m.accuracy, classes: m.classes, confusion: m.confusion, roc, qrs };
}
