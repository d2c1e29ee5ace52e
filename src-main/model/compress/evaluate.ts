/**
 * How compression measures a model: load it from disk exactly as it runs (dequantized by tfjs on load, sparse
 * weights expanded), predict every labelled reference beat of the evaluation records, decide the class as the
 * classifier does (argmax of log-probabilities plus the model card's per-class offsets), and score
 * N/S/V/F — accuracy, Se/+P per class, macro-F1 over N, S, V. Every model scored on the same records sees the
 * same beats in the same order, so pairs of models can be compared beat by beat (McNemar).
 */
import { join } from 'node:path';
import { confusionMatrix, classificationReport } from '../../evaluation/metrics.js';
import { loadLabelledRecords } from '../dataset/mitdb.js';
import { MODEL_CLASSES, type BeatSet } from '../dataset/beats.js';
import { DEFAULT_WINDOW, type WindowSpec } from '../dataset/windows.js';
import { predictProbabilities } from './fit.js';
import { loadModelDir } from './model-files.js';
import { readCard, type ModelCard } from './card.js';
import { inputTensors } from './tensors.js';
import { tf } from './tf.js';

export interface ClassFigures { se: number | null; ppv: number | null; f1: number | null; support: number }

export interface ModelEvaluation {
  records: string[];
  beats: number;
  /** Reference and predicted class index (MODEL_CLASSES order) per beat. */
  truth: Int8Array;
  predicted: Int8Array;
  accuracy: number | null;
  /** Mean F1 over N, S, V (percent of 1, i.e. 0..1). */
  macroF1NSV: number | null;
  perClass: Record<string, ClassFigures>;
}

export function windowOf(card: ModelCard | null): WindowSpec {
  const w = card?.window as WindowSpec | undefined;
  return w && typeof w.fs === 'number' ? w : DEFAULT_WINDOW;
}

/** Per-class log-prior offsets the classifier adds before argmax (none when the card has none). */
export function decisionBias(card: ModelCard | null): number[] | undefined {
  const b = (card?.decisionBias ?? card?.bias) as number[] | undefined;
  return Array.isArray(b) && b.length === MODEL_CLASSES.length ? b : undefined;
}

export function decide(probs: Float32Array, classes: number, bias?: number[]): Int8Array {
  const n = probs.length / classes;
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0, bv = -Infinity;
    for (let k = 0; k < classes; k++) {
      const v = Math.log(Math.max(1e-12, probs[i * classes + k])) + (bias ? bias[k] : 0);
      if (v > bv) { bv = v; best = k; }
    }
    out[i] = best;
  }
  return out;
}

export function scorePredictions(records: string[], truth: Int8Array, predicted: Int8Array): ModelEvaluation {
  const K = MODEL_CLASSES.length;
  const m = confusionMatrix(truth, predicted, K);
  const rep = classificationReport(m);
  const perClass: Record<string, ClassFigures> = {};
  MODEL_CLASSES.forEach((c, k) => {
    const x = rep.perClass[k];
    perClass[c] = { se: x.sensitivity, ppv: x.precision, f1: x.f1, support: x.support };
  });
  const f = ['N', 'S', 'V'].map((c) => perClass[c].f1);
  const macroF1NSV = f.every((v) => v !== null) ? (f as number[]).reduce((a, b) => a + b, 0) / 3 : null;
  return { records, beats: truth.length, truth, predicted, accuracy: rep.accuracy, macroF1NSV, perClass };
}

/** Beats of the evaluation records for a model's window (cached by the dataset module). */
export function evaluationBeats(dataDir: string, records: readonly string[], window: WindowSpec): Promise<BeatSet> {
  return loadLabelledRecords(dataDir, records, { window });
}

/** Predict and score one model directory on `beats` (built for the model's window). */
export async function evaluateModelDir(dir: string, beats: BeatSet): Promise<ModelEvaluation> {
  const card = await readCard(dir);
  const model = await loadModelDir(dir);
  try {
    const inputs = inputTensors(beats, model);
    const probs = predictProbabilities(model, inputs);
    tf.dispose(inputs);
    const classes = model.outputs[0].shape[1] as number;
    const predicted = decide(probs, classes, decisionBias(card));
    return scorePredictions(beats.records, Int8Array.from(beats.labels), predicted);
  } finally {
    model.dispose();
  }
}

export async function evaluateModelOnRecords(dir: string, dataDir: string, records: readonly string[]): Promise<ModelEvaluation> {
  const card = await readCard(dir);
  return evaluateModelDir(dir, await evaluationBeats(dataDir, records, windowOf(card)));
}

export function defaultMitdbDir(): string {
  return process.env.ECG_DATA_DIR ? join(process.env.ECG_DATA_DIR, 'mitdb') : join(process.cwd(), '..', 'shared', 'data', 'mitdb');
}
