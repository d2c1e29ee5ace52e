/**
 * Beat-by-beat comparison of a run against its reference, as ANSI/AAMI EC57 counts it: a detected beat matches a
 * reference beat within 150 ms; per-class sensitivity (Se), specificity (Sp), positive predictivity (+P) and F1
 * one-vs-rest; accuracy over matched beats; ROC and precision-recall one-vs-rest from the model's class
 * probabilities (Fawcett T. An introduction to ROC analysis. Pattern Recognit Lett 27:861-874, 2006).
 */
import { AAMI_LABELS, type AamiLabel, type CalibrationSummary, type ClassMetrics, type Ec57From, type Ec57Metrics, type Ec57RunTable, type MetricsResult, type RocCurve } from '../api/contract.js';
import type { Annotation } from '../domain/annotation.js';
import { calibrationOf, type CalibrationInput } from '../evaluation/calibration.js';
import { compareBeats, secondsToSamples } from '../evaluation/ec57/compare.js';
import { codeOf, isBxbBeatCode } from '../evaluation/ec57/labels.js';
import { compareRunByRun, summarizeRunByRun, type RunByRunFigures } from '../evaluation/ec57/runs.js';
import { grossBeatCounts, summarizeRecords } from '../evaluation/ec57/stats.js';

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

export type Ec57Outcome = Pick<MetricsResult, 'ec57' | 'ec57Unavailable'>;

export function metricsResult(runId: string, ref: 'annotations' | 'corrected', corrections: number, reference: string, predicted: string, probs: ArrayLike<number> | null, qrs: MetricsResult['qrs'], ec57: Ec57Outcome, scoredFromSeconds = 0): MetricsResult {
  const m = classMetrics(reference, predicted);
  const roc = probs ? AAMI_LABELS.map((_, k) => rocCurve(reference, probs, k)).map((c) => ({ ...c, auc: Number.isFinite(c.auc) ? c.auc : -1 })) : [];
  return { runId, reference: ref, corrections, beats: m.beats, scoredFromSeconds, accuracy: m.accuracy, classes: m.classes, confusion: m.confusion, roc, calibration: probs ? runCalibration(reference, predicted, probs, runId) : null, qrs, ...ec57 };
}

/**
 * Calibration of a run's probabilities (5 per beat, AAMI_LABELS order) over the beats with a reference and a label:
 * all of them, as the Metrics accuracy counts, or (`withQReference` false) those whose reference is N, S, V or F, as
 * de Chazal's figures, the study's and the model cards' do. Runs pooled over several recordings (`pooled`: the recording
 * of each beat) get record-bootstrap intervals of ECE and Brier.
 */
export function runCalibration(reference: string, predicted: string, probs: ArrayLike<number>, runId: string, withQReference = true, pooled?: { records: ArrayLike<number>; draws: number }): CalibrationSummary | null {
  return calibrationOf(runCalibrationInput(reference, predicted, probs, runId, withQReference, pooled));
}

/** `runCalibration`'s input: the labels (a character each) as class indices over AAMI_LABELS. */
export function runCalibrationInput(reference: string, predicted: string, probs: ArrayLike<number>, runId: string, withQReference = true, pooled?: { records: ArrayLike<number>; draws: number }): CalibrationInput {
  const idx = (c: string): number => AAMI_LABELS.indexOf(c as AamiLabel);
  return {
    reference: Int8Array.from(reference, (c) => (!withQReference && c === 'Q' ? -1 : idx(c))), predicted: Int8Array.from(predicted, idx),
    probs, labels: AAMI_LABELS, source: `run ${runId}`, ...(pooled ? { records: pooled.records, bootstrap: { draws: pooled.draws } } : {}),
  };
}

/** First second of the EC57 comparison: bxb's and rxr's default 5:00, or 0 (`-f 0`). */
export const EC57_START_SECONDS: Readonly<Record<Exclude<Ec57From, 'learning'>, number>> = { minute5: 300, start: 0 };

const fraction = (percent: number | null): number | null => (percent === null ? null : percent / 100);

function runTable(f: RunByRunFigures): Ec57RunTable {
  return {
    couplets: { se: f.coupletSe, ppv: f.coupletPpv, tpSe: f.CTPs, fn: f.CFN, tpPpv: f.CTPp, fp: f.CFP, reference: f.CTPs + f.CFN },
    shortRuns: { se: f.shortRunSe, ppv: f.shortRunPpv, tpSe: f.STPs, fn: f.SFN, tpPpv: f.STPp, fp: f.SFP, reference: f.STPs + f.SFN },
    longRuns: { se: f.longRunSe, ppv: f.longRunPpv, tpSe: f.LTPs, fn: f.LFN, tpPpv: f.LTPp, fp: f.LFP, reference: f.LTPs + f.LFN },
  };
}

/**
 * EC57 figures of one recording's test annotations against its reference annotations, by the calls
 * `ecg-review evaluate --runs` makes for each record (evaluation/ec57/evaluate.ts): `compareBeats` (bxb) summarised by
 * `summarizeRecords` (sumstats' gross figures), and `compareRunByRun` (rxr) summarised by `summarizeRunByRun`.
 * `length` is the recording's length in samples (bxb's and rxr's end, `strtim("e")`).
 */
export function ec57Metrics(reference: readonly Annotation[], test: readonly Annotation[], o: { fs: number; length: number; from: Ec57From; learningSeconds?: number }): Ec57Outcome {
  const startSeconds = o.from === 'learning' ? o.learningSeconds ?? 0 : EC57_START_SECONDS[o.from];
  if (!reference.some((a) => isBxbBeatCode(codeOf(a)))) return { ec57: null, ec57Unavailable: 'the recording has no reference beat annotations to compare with' };
  if (secondsToSamples(startSeconds, o.fs) > o.length) {
    return { ec57: null, ec57Unavailable: `the recording (${(o.length / o.fs).toFixed(1)} s) ends before ${o.from === 'minute5' ? 'minute 5' : `${startSeconds} s`}, where the comparison starts; compare from the start instead` };
  }
  const window = { fs: o.fs, recordLength: o.length, startSeconds };
  const summary = summarizeRecords([compareBeats(reference, test, window)]);
  const g = grossBeatCounts(summary.counts);
  const runs = summarizeRunByRun([compareRunByRun(reference, test, window)]);
  const ec57: Ec57Metrics = {
    from: o.from,
    startSeconds,
    veb: {
      se: fraction(summary.gross.vebSensitivity), ppv: fraction(summary.gross.vebPositivePredictivity), fpr: fraction(summary.gross.vebFalsePositiveRate),
      tp: g.vebTP, fn: g.vebFN, fp: g.vebFP, tn: g.vebTN, reference: summary.totalVeb,
    },
    sveb: {
      se: fraction(summary.gross.svebSensitivity), ppv: fraction(summary.gross.svebPositivePredictivity),
      tp: g.svebTP, fn: g.svebFN, fp: g.svebFP, reference: summary.totalSveb,
    },
    runs: { ve: runTable(runs.ve), sve: runTable(runs.sve) },
  };
  return { ec57, ec57Unavailable: null };
}
