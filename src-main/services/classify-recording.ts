/**
 * One segment of a recording end to end: read the signal, find the beats with the QRS detector, classify each
 * with the chosen model. A long recording is cut into segments that workers process in parallel (see
 * review-service.ts); each segment is read with PAD seconds of lead-in and lead-out so the detector and the
 * classifiers' RR and template features have settled, and keeps only the beats inside its own range. Reference
 * labels are attached by the caller. Runs inside a worker thread (`classify-worker.ts`).
 */
import { join } from 'node:path';
import { AAMI_LABELS, type AamiLabel } from '../api/contract.js';
import { aamiClassOf } from '../domain/aami.js';
import { annotationCode, isBeatSymbol, type Annotation } from '../domain/annotation.js';
import { toPhysical, type Recording, type RecordingSource, type SampleWindow } from '../domain/recording.js';
import { openRecording, readAnnotations } from '../formats/index.js';
import { classifyBaseline } from './baseline-classifier.js';
import { adaptWithModel, BASELINE_MODEL_ID, classifyWithModel, detectBeats, type AdaptOutcome } from './domain-adapters.js';

/** Lead-in/lead-out read around a segment, seconds. */
export const SEGMENT_PAD_S = 20;

export interface ClassifyInput {
  path: string;
  modelId: string;
  modelsDir: string;
  /** Classify with this model directory instead of `modelsDir/modelId` (a model adapted to the patient). */
  modelDir?: string;
  /** Beat positions to classify (recording samples, ascending; may cover more than this segment); default: detect. */
  positions?: Int32Array;
  /** Beats kept: [keepFrom, keepTo) in samples; default the whole recording. */
  keepFrom?: number;
  keepTo?: number;
}

export interface ClassifyOutput {
  samples: Int32Array;
  /** AAMI index per beat. */
  predicted: Uint8Array;
  /** Row-major class probabilities in AAMI order, 5 per beat. */
  probs: Float32Array;
  elapsedMs: number;
}

/** A window of a recording presented as a recording of its own (sample 0 = `from`), for code that reads whole recordings. */
export function windowedSource(source: RecordingSource, from: number, to: number): RecordingSource {
  const info = { ...source.info, length: to - from };
  return {
    info,
    async read(w: SampleWindow = {}): Promise<Recording> {
      const a = from + (w.from ?? 0), b = from + (w.to ?? to - from);
      const r = await source.read({ from: a, to: b, channels: w.channels });
      return { ...r, info, from: a - from, to: b - from };
    },
    embeddedAnnotations: async () => [],
    close: async () => {},
  };
}

export interface ReferenceBeats {
  samples: Int32Array;
  labels: Uint8Array;
  symbols: string;
  annotator: string | null;
  /** Every annotation of the annotator (rhythm, noise and VF ones too), for the EC57 comparison (bxb, rxr). */
  annotations: Annotation[];
  /** Index in `annotations` of each beat. */
  beatAt: Int32Array;
}

/** Reference beats of an opened recording (annotator `atr` or EDF+ embedded), AAMI-mapped; empty when none. */
export async function referenceBeats(source: Parameters<typeof readAnnotations>[0]): Promise<ReferenceBeats> {
  let anns: Annotation[];
  try {
    anns = await readAnnotations(source);
  } catch {
    return { samples: new Int32Array(0), labels: new Uint8Array(0), symbols: '', annotator: null, annotations: [], beatAt: new Int32Array(0) };
  }
  const beatAt = Int32Array.from(anns.flatMap((a, i) => (isBeatSymbol(a.symbol) ? [i] : [])));
  const beats = Array.from(beatAt, (i) => anns[i]);
  return {
    samples: Int32Array.from(beats, (a) => a.sample),
    labels: Uint8Array.from(beats, (a) => AAMI_LABELS.indexOf(aamiClassOf(a.symbol) ?? 'Q')),
    symbols: beats.map((a) => a.symbol[0]).join(''),
    annotator: source.info.format === 'wfdb' ? 'atr' : 'embedded',
    annotations: anns,
    beatAt,
  };
}

export async function classifyRecording(input: ClassifyInput, onProgress: (fraction: number, message: string) => void): Promise<ClassifyOutput> {
  const t0 = performance.now();
  onProgress(0, 'reading signal');
  const whole = await openRecording(input.path);
  try {
    const { fs, length } = whole.info;
    const keepFrom = Math.max(0, input.keepFrom ?? 0), keepTo = Math.min(length, input.keepTo ?? length);
    const pad = Math.round(SEGMENT_PAD_S * fs);
    const from = Math.max(0, keepFrom - pad), to = Math.min(length, keepTo + pad);
    const source = from === 0 && to === length ? whole : windowedSource(whole, from, to);
    let samples: Int32Array, out: { labels: Uint8Array; probs: Float32Array };
    // Given positions, in this segment's coordinates.
    let given: Int32Array | undefined;
    if (input.positions) {
      const inSeg: number[] = [];
      for (const p of input.positions) if (p >= from && p < to) inSeg.push(p - from);
      given = Int32Array.from(inSeg);
    }
    if (input.modelId === BASELINE_MODEL_ID) {
      // Every lead: the multi-lead detector misses fewer beats (an ectopic beat can be small on one lead).
      const leads = (await source.read()).signals.map((s) => toPhysical(s));
      onProgress(0.1, given ? 'taking the reference beat positions' : 'detecting beats');
      samples = given ?? await detectBeats(leads, fs);
      onProgress(0.3, `classifying ${samples.length} beats`);
      out = classifyBaseline(leads[0], fs, samples, (f) => onProgress(0.3 + 0.65 * f, `classifying ${samples.length} beats`));
    } else {
      onProgress(0.1, 'detecting and classifying beats');
      const r = await classifyWithModel(input.modelDir ?? join(input.modelsDir, input.modelId), source, (f) => onProgress(0.1 + 0.85 * f, 'detecting and classifying beats'), given);
      samples = r.samples;
      out = r;
    }
    // Keep the beats of this segment only, in recording coordinates.
    const keep: number[] = [];
    for (let i = 0; i < samples.length; i++) { const s = samples[i] + from; if (s >= keepFrom && s < keepTo) keep.push(i); }
    const probs = new Float32Array(keep.length * 5);
    keep.forEach((i, k) => probs.set(out.probs.subarray(i * 5, i * 5 + 5), k * 5));
    onProgress(1, 'done');
    return {
      samples: Int32Array.from(keep, (i) => samples[i] + from),
      predicted: Uint8Array.from(keep, (i) => out.labels[i]),
      probs,
      elapsedMs: performance.now() - t0,
    };
  } finally {
    await whole.close();
  }
}

/**
 * Adapt a model to one patient before its segments are classified (once per recording, in a worker of its own):
 * the first `seconds` of the recording plus the segments' lead-out, its beats found as a segment finds them, labelled
 * by `labels` (AAMI classes at beat positions: the reference's, or a reviewed run's final labels).
 */
export interface AdaptInput {
  task: 'adapt';
  path: string;
  modelId: string;
  modelsDir: string;
  /** The run's beat positions (recording samples, ascending; may cover the whole recording); default: detect. */
  positions?: Int32Array;
  seconds: number;
  labels: { sample: number; label: AamiLabel }[];
  /** What the labels are, for messages (`atr, first 300 s`). */
  source: string;
  /** Where the adapted model is saved. */
  outDir: string;
}

export interface AdaptOutput extends AdaptOutcome {
  elapsedMs: number;
}

export async function adaptToPatient(input: AdaptInput, onProgress: (fraction: number, message: string) => void): Promise<AdaptOutput> {
  const t0 = performance.now();
  onProgress(0, 'reading the learning period');
  const whole = await openRecording(input.path);
  try {
    const { fs, length } = whole.info;
    const to = Math.min(length, Math.ceil(input.seconds * fs) + Math.round(SEGMENT_PAD_S * fs));
    const source = to === length ? whole : windowedSource(whole, 0, to);
    let n = 0;
    while (input.positions && n < input.positions.length && input.positions[n] < to) n++;
    const positions = input.positions?.subarray(0, n);
    const labels: Annotation[] = input.labels.map(({ sample, label }) => ({ sample, symbol: label, code: annotationCode(label) ?? 0, subtype: 0, chan: 0, num: 0, aux: '' }));
    onProgress(0.1, `adapting the model to this patient (${input.source})`);
    const out = await adaptWithModel(join(input.modelsDir, input.modelId), source, labels, input.seconds, input.source, input.outDir, positions);
    onProgress(1, 'adapted');
    return { ...out, elapsedMs: performance.now() - t0 };
  } finally {
    await whole.close();
  }
}
