/**
 * How compression measures a model — exactly as the classifiers' own DS2 evaluation
 * (`model/evaluate-records.ts`: `classify --beats atr`, then EC57 `evaluate`) does it: the model is loaded from disk
 * as it runs (tfjs dequantizes on load, sparse weights are expanded), every beat at the reference (`atr`)
 * positions of each record is classified by `classifyRecording` (the classifier's windows, features and decision
 * offsets), the predictions become annotations (`beatAnnotations`), and the EC57 beat-by-beat comparison
 * (`compareBeats`, a port of WFDB bxb) scores them against the reference over the whole record with the AAMI class
 * table; the figures come from the summed matrix through the same `figuresFromCounts`. EC57's gross VEB/SVEB
 * statistics use evaluate's defaults (from minute 5, bxb table). The per-beat predictions are kept so that two
 * models can be compared on the same beats (McNemar).
 */
import { join } from 'node:path';
import { AAMI_CLASSES, aamiClassOf, type AamiClass } from '../../domain/aami.js';
import { compareBeats, compareRunByRun, summarizeRecords, summarizeRunByRun, type BxbComparison, type RunByRunComparison } from '../../evaluation/ec57/index.js';
import { openRecording, readAnnotations } from '../../formats/index.js';
import { classifyRecording } from '../classify.js';
import { DEFAULT_WINDOW, type WindowSpec } from '../dataset/windows.js';
import { figureIntervals, figuresFromCounts, macroF1NSV } from '../../evaluation/class-figures.js';
import { beatAnnotations, CalibrationBeats, type RecordsEvaluation } from '../evaluate-records.js';
import type { CalibrationUnits } from '../../evaluation/calibration.js';
import { readIntegerModel } from '../lite/integer-files.js';
import type { LoadedModel, ModelMetadata } from '../io.js';
import { readCard, type ModelCard } from './card.js';
import { CompressError } from './errors.js';
import { loadModelDir, readModelFiles } from './model-files.js';

export interface EvaluationOptions {
  /** MIT-BIH directory. */
  dataDir: string;
  /** MIT-BIH record names (under dataDir), or paths of any recordings with an atr annotator. */
  records: readonly string[];
  /** Score from this many seconds (a patient-adapted model: its learning period is left out); default: whole records. */
  fromSeconds?: number;
  /**
   * Patient-specific protocol: adapt the model to each record on its first `adaptSeconds` of atr labels
   * (model/adapt.ts) before classifying it; score from the same time unless `fromSeconds` says otherwise.
   */
  adaptSeconds?: number;
}

export interface ModelEvaluation extends Omit<RecordsEvaluation, 'annotator'> {
  /** Mean F1 of N, S, V (percent), the figure the compression bar is stated in. */
  macroF1NSV: number | null;
  /** Beats compared per beat (reference class N, S, V or F), records in order. */
  beats: number;
  /** Each record's bxb 7×7 matrix (whole record, AAMI table), records in order: for paired comparisons. */
  recordCounts: Int32Array[];
  /** AAMI class index (N S V F Q) of the reference and of the prediction, per compared beat. */
  truth: Int8Array;
  predicted: Int8Array;
  /** Each record's calibration sums, for paired calibration differences. */
  calibrationUnits: CalibrationUnits;
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
  const integer = await readIntegerModel(dir);
  return { model: await loadModelDir(dir), meta, dir, ...(integer ? { integer } : {}) };
}

export async function evaluateModel(dir: string, opts: EvaluationOptions): Promise<ModelEvaluation> {
  if (opts.records.length === 0) throw new CompressError('no evaluation records');
  if (opts.adaptSeconds !== undefined && !(opts.adaptSeconds > 0)) throw new CompressError(`learning period must be a positive number of seconds, got ${opts.adaptSeconds}`);
  const from = opts.fromSeconds ?? opts.adaptSeconds ?? 0;
  const loaded = await loadForClassify(dir);
  const whole: BxbComparison[] = [];
  const std: BxbComparison[] = [];
  const runs: RunByRunComparison[] = [];
  const truth: number[] = [], predicted: number[] = [];
  const calibration = new CalibrationBeats();
  const names: string[] = [];
  try {
    for (const r of opts.records) {
      const src = await openRecording(r.includes('/') || r.includes('\\') ? r : join(opts.dataDir, r));
      try {
        const ref = await readAnnotations(src, 'atr');
        const cls = await classifyRecording(src, [loaded], { beats: 'atr', ...(opts.adaptSeconds ? { adapt: { seconds: opts.adaptSeconds, annotator: 'atr', annotations: ref } } : {}) });
        const test = beatAnnotations(cls);
        const base = { fs: src.info.fs, recordLength: src.info.length };
        whole.push(compareBeats(ref, test, { ...base, startSeconds: from, mapping: 'aami' }));
        std.push(compareBeats(ref, test, base));
        runs.push(compareRunByRun(ref, test, base));
        names.push(src.info.name);
        calibration.add(cls, from * src.info.fs);
        // Per-beat pairs for McNemar: the positions are the reference beats themselves.
        const refClass = new Map<number, AamiClass | undefined>();
        for (const a of ref) { const c = aamiClassOf(a.symbol); if (c) refClass.set(a.sample, c); }
        for (let i = 0; i < cls.samples.length; i++) {
          if (cls.samples[i] < from * src.info.fs) continue;
          const t = refClass.get(cls.samples[i]);
          if (t === undefined || t === 'Q') continue;
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
  const figures = figuresFromCounts(summarizeRecords(whole).counts);
  const g = summarizeRecords(std).gross;
  return {
    records: names, ...figures,
    macroF1NSV: macroF1NSV(figures),
    // a bootstrap over records says nothing about one record (one patient)
    ...(whole.length > 1 ? { intervals: figureIntervals(whole.map((c) => c.counts)) } : {}),
    ec57Gross: { vebSe: g.vebSensitivity, vebPpv: g.vebPositivePredictivity, svebSe: g.svebSensitivity, svebPpv: g.svebPositivePredictivity },
    ec57Runs: summarizeRunByRun(runs),
    beats: truth.length, recordCounts: whole.map((c) => c.counts), truth: Int8Array.from(truth), predicted: Int8Array.from(predicted),
    calibration: calibration.figures(dir) ?? undefined, calibrationUnits: calibration.units(dir),
  };
}

export function defaultMitdbDir(): string {
  return process.env.ECG_DATA_DIR ? join(process.env.ECG_DATA_DIR, 'mitdb') : join(process.cwd(), '..', 'shared', 'data', 'mitdb');
}
