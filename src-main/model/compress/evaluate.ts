/**
 * How compression measures a model — exactly as `ecg-review classify` + `ecg-review evaluate` would: the model is
 * loaded from disk as it runs (tfjs dequantizes on load, sparse weights are expanded), every beat at the
 * reference (`atr`) positions of each record is classified by the classifier's own `classifyRecording` (its
 * windows, features and decision offsets), the predictions become test annotations, and the EC57 beat-by-beat
 * comparison (`compareBeats`, a port of WFDB bxb) scores them against the reference from minute 5 on, summed over
 * records as sumstats does. Accuracy, macro-F1 (N,S,V) and per-class Se/+P come from that summed matrix; the
 * per-beat predictions are kept so that two models can be compared on the same beats (McNemar).
 */
import { join } from 'node:path';
import { AAMI_CLASSES, aamiClassOf, type AamiClass } from '../../domain/aami.js';
import type { Annotation } from '../../domain/annotation.js';
import { compareBeats, summarizeRecords, type BxbComparison, type ClassMapping } from '../../evaluation/ec57/index.js';
import type { BeatStatistics } from '../../evaluation/ec57/stats.js';
import { classificationReport } from '../../evaluation/metrics.js';
import { openRecording, readAnnotations } from '../../formats/index.js';
import { classifyRecording } from '../classify.js';
import { DEFAULT_WINDOW, type WindowSpec } from '../dataset/windows.js';
import type { LoadedModel, ModelMetadata } from '../io.js';
import { readCard, type ModelCard } from './card.js';
import { CompressError } from './errors.js';
import { loadModelDir, readModelFiles } from './model-files.js';

export interface ClassFigures { se: number | null; ppv: number | null; f1: number | null; support: number }

export interface EvaluationOptions {
  /** MIT-BIH directory. */
  dataDir: string;
  records: readonly string[];
  /** EC57 class table (default aami: j, e are N, as de Chazal 2004 and the classifiers' training labels). */
  mapping?: ClassMapping;
  /** Start of the compared period in seconds (default 300, EC57's and bxb's). */
  startSeconds?: number;
}

export interface ModelEvaluation {
  records: string[];
  mapping: ClassMapping;
  startSeconds: number;
  /** Beats compared (reference beats in the period, AAMI classes N..Q). */
  beats: number;
  /** AAMI class index (N S V F Q) of the reference and of the prediction, per compared beat, records in order. */
  truth: Int8Array;
  predicted: Int8Array;
  accuracy: number | null;
  /** Mean F1 of N, S, V (0..1). */
  macroF1NSV: number | null;
  perClass: Record<string, ClassFigures>;
  /** sumstats gross statistics (percent): VEB/SVEB Se, +P, FPR. */
  ec57Gross: BeatStatistics;
}

/** The classifier metadata (model.json `userDefinedMetadata.ecgReview`) with the model card's overrides. */
export async function readMetadata(dir: string): Promise<{ meta: ModelMetadata | null; card: ModelCard | null }> {
  const files = await readModelFiles(dir);
  const meta = (files.json.userDefinedMetadata as { ecgReview?: ModelMetadata } | undefined)?.ecgReview ?? null;
  return { meta, card: await readCard(dir) };
}

export function windowOf(meta: ModelMetadata | null, card?: ModelCard | null): WindowSpec {
  const w = (meta?.window ?? card?.window) as WindowSpec | undefined;
  return w && typeof w.fs === 'number' ? w : DEFAULT_WINDOW;
}

/** A compressed (or any) model directory as the classify path takes it. */
export async function loadForClassify(dir: string): Promise<LoadedModel> {
  const { meta } = await readMetadata(dir);
  if (!meta) throw new CompressError('has no classifier metadata (model.json userDefinedMetadata.ecgReview); it was not saved by ecg-review train/compress', dir);
  return { model: await loadModelDir(dir), meta, dir };
}

/** Annotation symbol written for each predicted AAMI class (any symbol of the class gives the same EC57 counts). */
export const SYMBOL_OF_CLASS: Record<AamiClass, string> = { N: 'N', S: 'A', V: 'V', F: 'F', Q: 'Q' };
const CODE_OF_SYMBOL: Record<string, number> = { N: 1, A: 8, V: 5, F: 6, Q: 13 };

/** Predictions of one record as WFDB annotations. */
export function predictionsAsAnnotations(samples: Int32Array, classes: readonly AamiClass[], predicted: Int8Array): Annotation[] {
  return Array.from(samples, (sample, i) => {
    const symbol = SYMBOL_OF_CLASS[classes[predicted[i]]];
    return { sample, symbol, code: CODE_OF_SYMBOL[symbol], subtype: 0, chan: 0, num: 0, aux: '' };
  });
}

/** Figures from a summed bxb matrix: its 5×5 beat block (reference N..Q × test n..q) as a confusion matrix. */
export function figuresFromCounts(counts: Int32Array): { accuracy: number | null; macroF1NSV: number | null; perClass: Record<string, ClassFigures> } {
  const block = new Int32Array(25);
  for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) block[r * 5 + c] = counts[r * 7 + c];
  const rep = classificationReport({ classes: 5, counts: block });
  const perClass: Record<string, ClassFigures> = {};
  AAMI_CLASSES.forEach((c, k) => {
    const x = rep.perClass[k];
    perClass[c] = { se: x.sensitivity, ppv: x.precision, f1: x.f1, support: x.support };
  });
  const f = ['N', 'S', 'V'].map((c) => perClass[c].f1);
  const macroF1NSV = f.every((v) => v !== null) ? (f as number[]).reduce((a, b) => a + b, 0) / 3 : null;
  return { accuracy: rep.accuracy, macroF1NSV, perClass };
}

export async function evaluateModel(dir: string, opts: EvaluationOptions): Promise<ModelEvaluation> {
  if (opts.records.length === 0) throw new CompressError('no evaluation records');
  const mapping = opts.mapping ?? 'aami';
  const startSeconds = opts.startSeconds ?? 300;
  const loaded = await loadForClassify(dir);
  const comparisons: BxbComparison[] = [];
  const truth: number[] = [], predicted: number[] = [];
  try {
    for (const r of opts.records) {
      const src = await openRecording(join(opts.dataDir, r));
      try {
        const ref = await readAnnotations(src, 'atr');
        const cls = await classifyRecording(src, [loaded], { beats: 'atr' });
        const test = predictionsAsAnnotations(cls.samples, cls.classes, cls.predicted);
        comparisons.push(compareBeats(ref, test, { fs: src.info.fs, recordLength: src.info.length, startSeconds, mapping }));
        // Per-beat pairs for McNemar: the positions are the reference beats themselves.
        const refClass = new Map<number, AamiClass | undefined>();
        for (const a of ref) refClass.set(a.sample, aamiClassOf(a.symbol));
        const from = Math.floor(startSeconds * src.info.fs + 0.5);
        for (let i = 0; i < cls.samples.length; i++) {
          const t = refClass.get(cls.samples[i]);
          if (cls.samples[i] < from || t === undefined) continue;
          truth.push(AAMI_CLASSES.indexOf(t));
          predicted.push(AAMI_CLASSES.indexOf(cls.classes[cls.predicted[i]]));
        }
      } finally {
        await src.close();
      }
    }
  } finally {
    loaded.model.dispose();
  }
  const sum = summarizeRecords(comparisons);
  return {
    records: [...opts.records], mapping, startSeconds, beats: truth.length,
    truth: Int8Array.from(truth), predicted: Int8Array.from(predicted),
    ...figuresFromCounts(sum.counts), ec57Gross: sum.gross,
  };
}

export function defaultMitdbDir(): string {
  return process.env.ECG_DATA_DIR ? join(process.env.ECG_DATA_DIR, 'mitdb') : join(process.cwd(), '..', 'shared', 'data', 'mitdb');
}
