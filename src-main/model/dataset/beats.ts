/**
 * Beats of one recording turned into model inputs: windows (see windows.ts), per-beat features (RR + template),
 * the AAMI label when a reference is known, and where each beat came from.
 */
import { aamiClassOf, type AamiClass } from '../../domain/aami.js';
import { isBeatSymbol, type Annotation } from '../../domain/annotation.js';
import { toPhysical, type RecordingSource } from '../../domain/recording.js';
import { matchBeats } from '../../evaluation/match-beats.js';
import { ModelError } from '../errors.js';
import { chooseLead, chooseSecondLead } from './lead.js';
import { causalRecordInputs } from './causal.js';
import { conditionSignal } from './preprocess.js';
import { RR_FEATURE_COUNT, RR_FEATURE_NAMES, rrFeatures } from './rr.js';
import { extractWindows, TEMPLATE_FEATURE_NAMES, windowChannels, windowLength, type WindowSpec } from './windows.js';

/** The classes the models output. Q (paced/unclassifiable) is too rare in DS1 (<0.1 %) to learn; EC57 excludes it. */
export const MODEL_CLASSES: readonly AamiClass[] = ['N', 'S', 'V', 'F'];
export const FEATURE_NAMES: readonly string[] = [...RR_FEATURE_NAMES, ...TEMPLATE_FEATURE_NAMES];
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** A set of beats, arrays indexed by beat. */
export interface BeatSet {
  n: number;
  /** Samples per window and channels per sample. */
  length: number;
  channels: number;
  /** [beat][time][channel] */
  x: Float32Array;
  /** [beat][feature], FEATURE_NAMES order */
  features: Float32Array;
  /** Index into MODEL_CLASSES, or -1 when unknown / not a modelled class. */
  labels: Int8Array;
  /** Beat position in samples of the source recording (at its own rate). */
  samples: Int32Array;
  /** Index into `records` per beat. */
  recordIndex: Uint16Array;
  records: string[];
  /** Lead used, per record. */
  leads: string[];
}

export interface BeatPositions {
  /** Sample indices (at the recording's rate) of every beat, ascending. */
  samples: Int32Array;
  /** AAMI class per beat when known (reference annotations), else undefined. */
  classes?: (AamiClass | undefined)[];
}

/** Beat positions and AAMI classes from reference annotations: every beat annotation counts for RR. */
export function beatsFromAnnotations(anns: readonly Annotation[]): BeatPositions {
  const beats = anns.filter((a) => isBeatSymbol(a.symbol)).sort((a, b) => a.sample - b.sample);
  return { samples: Int32Array.from(beats.map((a) => a.sample)), classes: beats.map((a) => aamiClassOf(a.symbol)) };
}

/**
 * Detected beat positions labelled by the reference: each detection takes the AAMI class of the nearest unused
 * reference beat within `toleranceSeconds` (EC57's 150 ms match window); a detection with none stays unlabelled
 * (a false detection: its inputs count for the others' RR, it is never trained on). For training a model on the
 * beats a detector will give it in use.
 */
export function labelDetections(detected: Int32Array, anns: readonly Annotation[], fs: number, toleranceSeconds = 0.15): BeatPositions {
  const ref = anns.filter((a) => isBeatSymbol(a.symbol)).sort((a, b) => a.sample - b.sample);
  const match = matchBeats(detected, Int32Array.from(ref, (a) => a.sample), Math.round(toleranceSeconds * fs));
  return { samples: detected, classes: Array.from(match, (k) => (k >= 0 ? aamiClassOf(ref[k].symbol) : undefined)) };
}

export interface RecordBeatsOptions {
  window: WindowSpec;
  lead?: string;
  /** Keep only beats whose class is one of MODEL_CLASSES (training); default keeps all. */
  labelledOnly?: boolean;
}

/** Build the beats of an opened recording at `positions`. */
export async function buildRecordBeats(src: RecordingSource, positions: BeatPositions, opts: RecordBeatsOptions): Promise<BeatSet> {
  const { info } = src;
  const lead = chooseLead(info, opts.lead);
  if (info.length === 0) throw new ModelError('recording has no samples', info.path);
  const second = opts.window.leads === 2 ? chooseSecondLead(info, lead.index) : null;
  if (second && opts.window.causal) throw new ModelError('two-lead windows have no causal form yet', info.path);
  if (opts.window.leads === 2 && opts.window.beat) throw new ModelError('a window has either two leads or the beat channel, not both', info.path);
  const rec = await src.read({ channels: second ? [lead.index, second.index] : [lead.index] });
  const sig = opts.window.causal ? new Float32Array(0) : conditionSignal(toPhysical(rec.signals[0]), info.fs, opts.window.fs);
  const scale = opts.window.fs / info.fs;
  const n0 = positions.samples.length;
  const centers = new Int32Array(n0);
  const times = new Float64Array(n0);
  for (let i = 0; i < n0; i++) {
    centers[i] = Math.round(positions.samples[i] * scale);
    times[i] = positions.samples[i] / info.fs;
  }
  if (opts.window.causal) return causalBeatSet(info.name, lead.name, toPhysical(rec.signals[0]), info.fs, positions, opts);
  const { x: x1, templateFeatures } = extractWindows(sig, centers, opts.window);
  // The second lead gets its own template; its channel is interleaved after the first ([beat][time][channel]).
  const x = second ? interleave(x1, extractWindows(conditionSignal(toPhysical(rec.signals[1]), info.fs, opts.window.fs), centers, opts.window).x) : x1;
  const rr = rrFeatures(times);
  const labels0 = new Int8Array(n0).fill(-1);
  if (positions.classes) for (let i = 0; i < n0; i++) { const c = positions.classes[i]; labels0[i] = c ? MODEL_CLASSES.indexOf(c) : -1; }
  let keep: number[] | null = null;
  if (opts.labelledOnly) { keep = []; for (let i = 0; i < n0; i++) if (labels0[i] >= 0) keep.push(i); }
  const idx = keep ?? Array.from({ length: n0 }, (_, i) => i);
  const n = idx.length;
  const len = windowLength(opts.window);
  const C = windowChannels(opts.window).length;
  const T = TEMPLATE_FEATURE_NAMES.length;
  const out: BeatSet = {
    n, length: len, channels: C,
    x: new Float32Array(n * len * C), features: new Float32Array(n * FEATURE_COUNT),
    labels: new Int8Array(n), samples: new Int32Array(n), recordIndex: new Uint16Array(n),
    records: [info.name], leads: [second ? `${lead.name}+${second.name}` : lead.name],
  };
  idx.forEach((k, i) => {
    out.x.set(x.subarray(k * len * C, (k + 1) * len * C), i * len * C);
    out.features.set(rr.subarray(k * RR_FEATURE_COUNT, (k + 1) * RR_FEATURE_COUNT), i * FEATURE_COUNT);
    out.features.set(templateFeatures.subarray(k * T, (k + 1) * T), i * FEATURE_COUNT + RR_FEATURE_COUNT);
    out.labels[i] = labels0[k];
    out.samples[i] = positions.samples[k];
  });
  return out;
}

/** Two one-channel window arrays of equal shape as one two-channel array. */
function interleave(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length * 2);
  for (let i = 0; i < a.length; i++) { out[2 * i] = a[i]; out[2 * i + 1] = b[i]; }
  return out;
}

/** The causal form of `buildRecordBeats` (causal.ts): all of the beats' inputs come from the streaming encoder. */
function causalBeatSet(record: string, lead: string, physical: Float32Array, fs: number, positions: BeatPositions, opts: RecordBeatsOptions): BeatSet {
  const n0 = positions.samples.length;
  const { x, features } = causalRecordInputs(physical, fs, positions.samples, opts.window);
  const labels0 = new Int8Array(n0).fill(-1);
  if (positions.classes) for (let i = 0; i < n0; i++) { const c = positions.classes[i]; labels0[i] = c ? MODEL_CLASSES.indexOf(c) : -1; }
  const all: BeatSet = {
    n: n0, length: windowLength(opts.window), channels: windowChannels(opts.window).length, x, features, labels: labels0,
    samples: Int32Array.from(positions.samples), recordIndex: new Uint16Array(n0), records: [record], leads: [lead],
  };
  if (!opts.labelledOnly) return all;
  const keep: number[] = [];
  for (let i = 0; i < n0; i++) if (labels0[i] >= 0) keep.push(i);
  return subsetBeats(all, keep);
}

/** Concatenate beat sets (same window shape). */
export function concatBeatSets(sets: readonly BeatSet[]): BeatSet {
  if (sets.length === 0) throw new ModelError('no beats: the beat-set list is empty');
  const { length, channels } = sets[0];
  for (const s of sets) if (s.length !== length || s.channels !== channels) throw new ModelError('beat sets with different window shapes cannot be joined');
  const n = sets.reduce((a, s) => a + s.n, 0);
  const out: BeatSet = {
    n, length, channels, x: new Float32Array(n * length * channels), features: new Float32Array(n * FEATURE_COUNT),
    labels: new Int8Array(n), samples: new Int32Array(n), recordIndex: new Uint16Array(n), records: [], leads: [],
  };
  let o = 0;
  for (const s of sets) {
    out.x.set(s.x, o * length * channels);
    out.features.set(s.features, o * FEATURE_COUNT);
    out.labels.set(s.labels, o);
    out.samples.set(s.samples, o);
    const base = out.records.length;
    for (let i = 0; i < s.n; i++) out.recordIndex[o + i] = base + s.recordIndex[i];
    out.records.push(...s.records);
    out.leads.push(...s.leads);
    o += s.n;
  }
  return out;
}

/** The beats at `idx` (in that order). */
export function subsetBeats(s: BeatSet, idx: ArrayLike<number>): BeatSet {
  const n = idx.length;
  const L = s.length * s.channels;
  const out: BeatSet = {
    n, length: s.length, channels: s.channels, x: new Float32Array(n * L), features: new Float32Array(n * FEATURE_COUNT),
    labels: new Int8Array(n), samples: new Int32Array(n), recordIndex: new Uint16Array(n), records: s.records, leads: s.leads,
  };
  for (let i = 0; i < n; i++) {
    const k = idx[i];
    out.x.set(s.x.subarray(k * L, (k + 1) * L), i * L);
    out.features.set(s.features.subarray(k * FEATURE_COUNT, (k + 1) * FEATURE_COUNT), i * FEATURE_COUNT);
    out.labels[i] = s.labels[k];
    out.samples[i] = s.samples[k];
    out.recordIndex[i] = s.recordIndex[k];
  }
  return out;
}

/** Beats per class (MODEL_CLASSES order). */
export function classCounts(s: BeatSet): number[] {
  const c = MODEL_CLASSES.map(() => 0);
  for (let i = 0; i < s.n; i++) if (s.labels[i] >= 0) c[s.labels[i]]++;
  return c;
}
