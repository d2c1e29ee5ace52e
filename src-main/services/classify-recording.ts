/**
 * One recording end to end: read the signal, find the beats (QRS detector when available, else the annotator's
 * beat positions), classify each beat with the chosen model, attach reference labels. Runs inside a worker
 * thread (see `classify-worker.ts`); pure otherwise, so tests can call it directly.
 */
import { AAMI_LABELS } from '../api/contract.js';
import { aamiClassOf } from '../domain/aami.js';
import { isBeatSymbol } from '../domain/annotation.js';
import { toPhysical } from '../domain/recording.js';
import { openRecording, readAnnotations } from '../formats/index.js';
import { classifyBaseline } from './baseline-classifier.js';
import { AppError } from './errors.js';
import { matchBeats } from './metrics.js';
import { BASELINE_MODEL_ID, classifyWithModel, detectBeats } from './domain-adapters.js';

export interface ClassifyInput {
  path: string;
  modelId: string;
  modelsDir: string;
}

export interface ClassifyOutput {
  samples: Int32Array;
  /** AAMI index per beat. */
  predicted: Uint8Array;
  probs: Float32Array;
  /** Reference: AAMI index per beat, 255 when unmatched. */
  reference: Uint8Array;
  symbols: string;
  referenceSamples: Int32Array;
  beatSource: 'detector' | 'reference';
  elapsedMs: number;
}

export interface ReferenceBeats { samples: Int32Array; labels: Uint8Array; symbols: string; annotator: string | null }

/** Reference beats of an opened recording (annotator `atr` or EDF+ embedded), AAMI-mapped; empty when none. */
export async function referenceBeats(source: Parameters<typeof readAnnotations>[0]): Promise<ReferenceBeats> {
  let anns;
  try {
    anns = await readAnnotations(source);
  } catch {
    return { samples: new Int32Array(0), labels: new Uint8Array(0), symbols: '', annotator: null };
  }
  const beats = anns.filter((a) => isBeatSymbol(a.symbol));
  return {
    samples: Int32Array.from(beats, (a) => a.sample),
    labels: Uint8Array.from(beats, (a) => AAMI_LABELS.indexOf(aamiClassOf(a.symbol) ?? 'Q')),
    symbols: beats.map((a) => a.symbol[0]).join(''),
    annotator: source.info.format === 'wfdb' ? 'atr' : 'embedded',
  };
}

export async function classifyRecording(input: ClassifyInput, onProgress: (fraction: number, message: string) => void): Promise<ClassifyOutput> {
  const t0 = performance.now();
  onProgress(0, 'reading signal');
  const source = await openRecording(input.path);
  try {
    const ref = await referenceBeats(source);
    let samples: Int32Array, out: { labels: Uint8Array; probs: Float32Array };
    if (input.modelId === BASELINE_MODEL_ID) {
      onProgress(0.05, 'reading signal');
      // Every lead: the multi-lead detector misses fewer beats (an ectopic beat can be small on one lead).
      const leads = (await source.read()).signals.map((s) => toPhysical(s));
      onProgress(0.1, 'detecting beats');
      samples = await detectBeats(leads, source.info.fs);
      if (!samples.length) throw new AppError('the QRS detector found no beats', input.path);
      onProgress(0.3, `classifying ${samples.length} beats`);
      out = classifyBaseline(leads[0], source.info.fs, samples, (f) => onProgress(0.3 + 0.65 * f, `classifying ${samples.length} beats`));
    } else {
      onProgress(0.1, 'detecting and classifying beats');
      const r = await classifyWithModel(input.modelsDir, input.modelId, source, (f) => onProgress(0.1 + 0.85 * f, 'detecting and classifying beats'));
      samples = r.samples;
      out = r;
    }
    const beatSource = 'detector' as const;
    const match = matchBeats(samples, ref.samples, Math.round(0.15 * source.info.fs));
    const reference = new Uint8Array(samples.length).fill(255);
    let symbols = '';
    for (let i = 0; i < samples.length; i++) {
      const m = match[i];
      if (m >= 0) { reference[i] = ref.labels[m]; symbols += ref.symbols[m]; } else symbols += '-';
    }
    onProgress(1, 'done');
    return { samples, predicted: out.labels, probs: out.probs, reference, symbols, referenceSamples: ref.samples, beatSource, elapsedMs: performance.now() - t0 };
  } finally {
    await source.close();
  }
}
