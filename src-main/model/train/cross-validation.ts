/**
 * Cross-validation runners over one labelled beat set: random K-fold, stratified K-fold (both mix beats of one
 * patient across training and test, the "intra-patient" leak that inflates published figures), and patient-wise
 * K-fold (whole records per fold). Each fold trains a fresh model with the fold's seed for a fixed number of
 * epochs (no early stopping, no prior tuning: the fold's test beats steer nothing) and scores the test side.
 */
import { groupKFold, kFold, stratifiedKFold, type Fold } from '../../evaluation/splits.js';
import { MODEL_CLASSES, subsetBeats, type BeatSet } from '../dataset/beats.js';
import { meanSd, scoreBeats, type Scores } from './metrics.js';
import { decide, predictProbs, trainModel, type ProgressFn, type TrainConfig } from './train.js';
import { patientValidationSplit } from './validation.js';

export type CvKind = 'kfold' | 'stratified' | 'patient';

export interface CvSummary {
  kind: CvKind;
  folds: number;
  epochs: number;
  perFold: Scores[];
  /** mean ± sd over folds of accuracy, macro-F1 and per-class Se / Sp / +P / F1 / AUC / AP. */
  aggregate: Record<string, { mean: number; sd: number }>;
  /** Sum of the folds' confusion matrices. */
  confusion: number[][];
}

export function makeFolds(kind: CvKind, s: BeatSet, k: number, seed: number): Fold[] {
  switch (kind) {
    case 'kfold': return kFold(s.n, k, seed);
    case 'stratified': return stratifiedKFold(s.labels, k, seed);
    case 'patient': return groupKFold(Array.from(s.recordIndex, (r) => s.records[r]), k, seed);
  }
}

export function aggregateScores(perFold: Scores[]): Record<string, { mean: number; sd: number }> {
  const out: Record<string, { mean: number; sd: number }> = {
    accuracy: meanSd(perFold.map((s) => s.accuracy)),
    macroF1: meanSd(perFold.map((s) => s.macroF1)),
  };
  for (const c of MODEL_CLASSES) {
    for (const m of ['se', 'sp', 'ppv', 'f1', 'auc', 'ap'] as const) out[`${c}.${m}`] = meanSd(perFold.map((s) => s.perClass[c][m]));
  }
  return out;
}

export async function crossValidate(kind: CvKind, s: BeatSet, k: number, cfg: Partial<TrainConfig> & { seed: number; epochs: number }, onProgress?: (fold: number, p: Parameters<ProgressFn>[0]) => void): Promise<CvSummary> {
  const folds = makeFolds(kind, s, k, cfg.seed);
  const perFold: Scores[] = [];
  for (let f = 0; f < folds.length; f++) {
    const train = subsetBeats(s, folds[f].train);
    const test = subsetBeats(s, folds[f].test);
    const r = await trainModel(train, null, { ...cfg, seed: cfg.seed + f, patience: 0 }, (p) => onProgress?.(f + 1, p));
    const probs = predictProbs(r.model, test);
    perFold.push(scoreBeats(MODEL_CLASSES, test.labels, decide(probs), probs));
    r.model.dispose();
  }
  const K = MODEL_CLASSES.length;
  const confusion = Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => perFold.reduce((a, p) => a + p.confusion[i][j], 0)));
  return { kind, folds: k, epochs: cfg.epochs, perFold, aggregate: aggregateScores(perFold), confusion };
}

export interface OutOfFold {
  /** [beat][class] for every beat of the set, each predicted by the fold model that never saw its patient. */
  probs: Float32Array;
  folds: number;
  /** Held-out records per fold, and the epoch early stopping kept. */
  perFold: { records: string[]; bestEpoch: number; scores: Scores }[];
}

/**
 * Out-of-fold predictions of patient-wise K-fold: each fold trains exactly as the shipped model is trained
 * (fixed epochs, or early stopping on a patient-wise validation split of the fold's own training records) and predicts the
 * held-out patients. Decision offsets chosen on these predictions have seen every training patient as a new
 * patient — far more of them than one validation split holds — and never the test set.
 */
export async function outOfFoldProbs(s: BeatSet, k: number, cfg: Partial<TrainConfig> & { seed: number; epochs: number }, earlyStopping: boolean, onProgress?: (fold: number, p: Parameters<ProgressFn>[0]) => void): Promise<OutOfFold> {
  const folds = makeFolds('patient', s, k, cfg.seed);
  const K = MODEL_CLASSES.length;
  const probs = new Float32Array(s.n * K);
  const perFold: OutOfFold['perFold'] = [];
  for (let f = 0; f < folds.length; f++) {
    const trainSet = subsetBeats(s, folds[f].train);
    const inner = earlyStopping ? patientValidationSplit(trainSet, cfg.seed + f) : { train: trainSet, val: null };
    const test = subsetBeats(s, folds[f].test);
    const r = await trainModel(inner.train, inner.val, { ...cfg, seed: cfg.seed + f }, (p) => onProgress?.(f + 1, p));
    const p = predictProbs(r.model, test);
    folds[f].test.forEach((i, j) => probs.set(p.subarray(j * K, (j + 1) * K), i * K));
    const records = [...new Set(Array.from(test.recordIndex, (ri) => test.records[ri]))].sort();
    perFold.push({ records, bestEpoch: r.bestEpoch, scores: scoreBeats(MODEL_CLASSES, test.labels, decide(p), p) });
    r.model.dispose();
  }
  return { probs, folds: k, perFold };
}
