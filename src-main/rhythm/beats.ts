/**
 * The input of every rhythm measure: beat times with one AAMI label each, checked once.
 */
import { aamiClassOf } from '../domain/aami.js';
import { isBeatSymbol, type Annotation } from '../domain/annotation.js';
import { RhythmError } from './errors.js';

export interface LabelledBeats {
  /** Sampling rate of `samples` (Hz). */
  fs: number;
  /** R-peak sample of each beat, ascending. */
  samples: ArrayLike<number>;
  /** One AAMI class letter per beat (`N`, `S`, `V`, `F`, `Q`); anything else is an unlabelled beat. */
  labels: ArrayLike<string>;
  /** Samples analysed (the recording's length); defaults to the last beat. */
  length?: number;
  /** Names the input in error messages (a file or a run). */
  source?: string;
  /**
   * Per beat, the QRS-locked atrial activity of the signal around it (`signal/atrial-activity.ts`; NaN where it
   * could not be judged). Only the signal shows a missing P wave; without it AF is judged from the RR intervals alone.
   */
  atrialActivity?: ArrayLike<number>;
}

/** Throw a RhythmError naming `b.source` unless the beats are usable. */
export function checkBeats(b: LabelledBeats): void {
  const where = b.source ?? 'beats';
  if (!Number.isFinite(b.fs) || b.fs <= 0) throw new RhythmError(`sampling rate must be a positive number of Hz, got ${String(b.fs)}`, where);
  if (b.labels.length !== b.samples.length) throw new RhythmError(`${b.samples.length} beat times but ${b.labels.length} labels`, where);
  for (let i = 1; i < b.samples.length; i++) {
    if (!(b.samples[i] > b.samples[i - 1])) throw new RhythmError(`beat ${i + 1} (sample ${b.samples[i]}) does not come after beat ${i} (sample ${b.samples[i - 1]})`, where);
  }
  if (b.length !== undefined && b.samples.length && b.length <= b.samples[b.samples.length - 1]) {
    throw new RhythmError(`length ${b.length} samples ends before the last beat (sample ${b.samples[b.samples.length - 1]})`, where);
  }
  if (b.atrialActivity && b.atrialActivity.length !== b.samples.length) throw new RhythmError(`${b.samples.length} beat times but ${b.atrialActivity.length} atrial activity scores`, where);
}

/** Seconds analysed: the given length, else up to the last beat. */
export function analysedSeconds(b: LabelledBeats): number {
  const n = b.samples.length;
  return (b.length ?? (n ? b.samples[n - 1] + 1 : 0)) / b.fs;
}

/**
 * Beat annotations (any annotator: the cardiologists' `atr`, a classifier's output) as labelled beats: the AAMI class
 * of each beat symbol, in time order. Two beats at one sample (one per channel in some files) count once.
 */
export function beatsOfAnnotations(anns: readonly Annotation[], fs: number, length: number | undefined, source: string): LabelledBeats {
  const beats = anns.filter((a) => isBeatSymbol(a.symbol)).sort((a, b) => a.sample - b.sample);
  const samples: number[] = [];
  const labels: string[] = [];
  for (const a of beats) {
    if (samples.length && samples[samples.length - 1] === a.sample) continue;
    samples.push(a.sample);
    labels.push(aamiClassOf(a.symbol) ?? '-');
  }
  return { fs, samples: Int32Array.from(samples), labels, length, source };
}
