/** Beat navigation over a BeatTable: pure functions, so keyboard behaviour is unit-tested without a DOM. */
import type { BeatTable } from '../../src-main/api/contract.js';
import { rrOf } from './calipers.js';

/** The fixed low-confidence threshold, used when the run's model card gives none: beats strictly below 60 %. */
export const LOW_CONFIDENCE = 0.6;

/**
 * Which beats the "low confidence" jump stops at: below a fixed limit (`below`, the default 0.6), or at or below a
 * model card's review-triage point (`atOrBelow`: the highest confidence among the least confident share of DS2 beats,
 * so "check every beat at or below it").
 */
export type LowConfidence = { below: number } | { atOrBelow: number };
export const DEFAULT_LOW_CONFIDENCE: LowConfidence = { below: LOW_CONFIDENCE };

/** Whether a confidence (0–1) is low by `threshold`. */
export function isLowConfidence(confidence: number, threshold: LowConfidence = DEFAULT_LOW_CONFIDENCE): boolean {
  return 'atOrBelow' in threshold ? confidence <= threshold.atOrBelow : confidence < threshold.below;
}

/** Classified beats of `b` whose confidence is low by `threshold`. */
export function countLowConfidence(b: BeatTable, threshold: LowConfidence = DEFAULT_LOW_CONFIDENCE): number {
  let n = 0;
  for (let i = 0; i < b.samples.length; i++) if (b.predicted[i] !== '-' && isLowConfidence(b.confidence[i], threshold)) n++;
  return n;
}

export function isDisagreement(b: BeatTable, i: number): boolean {
  return b.reference[i] !== '-' && b.predicted[i] !== '-' && b.reference[i] !== b.predicted[i];
}

/** Next (dir 1) or previous (dir -1) beat after `from` satisfying `pred`; -1 when none. */
export function findBeat(b: { samples: ArrayLike<number> }, from: number, dir: 1 | -1, pred: (i: number) => boolean): number {
  for (let i = from + dir; i >= 0 && i < b.samples.length; i += dir) if (pred(i)) return i;
  return -1;
}

export const nextDisagreement = (b: BeatTable, from: number, dir: 1 | -1 = 1): number => findBeat(b, from, dir, (i) => isDisagreement(b, i));
export const nextOfClass = (b: BeatTable, from: number, label: string, labelOf: (i: number) => string, dir: 1 | -1 = 1): number => findBeat(b, from, dir, (i) => labelOf(i) === label);
/** Next (or previous) classified beat whose confidence is low by `threshold` (default: below 0.6). */
export const nextLowConfidence = (b: BeatTable, from: number, dir: 1 | -1 = 1, threshold: LowConfidence = DEFAULT_LOW_CONFIDENCE): number =>
  findBeat(b, from, dir, (i) => b.predicted[i] !== '-' && isLowConfidence(b.confidence[i], threshold));

/**
 * "Premature N": a beat shown as N whose RR before is under 0.85 × the median of the up to 8 RR before it (`rrOf`'s
 * prematurity), i.e. at least 15 % earlier than the recent rhythm. The classifiers' usual miss on a new patient is an
 * APC (S) called N: its QRS looks normal and only its timing gives it away, so this is where a reviewer looks for them.
 * A review aid, not a diagnostic rule: sinus arrhythmia, a missed beat before or a falsely detected one give such beats
 * too, and an APC that comes less than 15 % early is not caught.
 */
export const PREMATURE_THRESHOLD = 0.85;

/** What prematurity needs of a beat table: its beat positions (a BeatTable's number[], or an Int32Array) and rate. */
export interface BeatTiming {
  samples: ArrayLike<number>;
  fs: number;
}

// Prematurity per beat, computed once per beat table (keyed by its samples array, which labels and runs share), so
// a keypress on a 24-hour Holter's ~100,000 beats is a scan of this array rather than 100,000 sorts of 8 intervals.
const prematurityCache = new WeakMap<ArrayLike<number>, { fs: number; values: Float64Array }>();

/**
 * Every beat's prematurity (RR before / median of the up to 8 before, as the beat panel shows it), NaN where a beat has
 * none (the first three beats). Float64, not Float32, so a ratio just under the threshold is not rounded onto it.
 */
export function prematurities(b: BeatTiming): Float64Array {
  const hit = prematurityCache.get(b.samples);
  if (hit && hit.fs === b.fs && hit.values.length === b.samples.length) return hit.values;
  const values = new Float64Array(b.samples.length);
  for (let i = 0; i < values.length; i++) values[i] = rrOf(b.samples, b.fs, i).prematurity ?? NaN;
  prematurityCache.set(b.samples, { fs: b.fs, values });
  return values;
}

/** Beat i is shown as N (`labelOf`: the reviewer's label, else the model's, else the reference) and its prematurity is strictly below `threshold`. */
export function isPrematureLabelled(b: BeatTiming, i: number, labelOf: (i: number) => string, threshold = PREMATURE_THRESHOLD): boolean {
  return prematurities(b)[i] < threshold && labelOf(i) === 'N';
}

/** Next (dir 1) or previous (dir -1) premature N beat after `from`; -1 when none (no wrapping, as the other jumps). */
export function nextPremature(b: BeatTiming, from: number, dir: 1 | -1, labelOf: (i: number) => string, threshold = PREMATURE_THRESHOLD): number {
  const p = prematurities(b);
  return findBeat(b, from, dir, (i) => p[i] < threshold && labelOf(i) === 'N');
}

/** How many beats are premature N; follows the reviewer's corrections through `labelOf`. */
export function countPremature(b: BeatTiming, labelOf: (i: number) => string, threshold = PREMATURE_THRESHOLD): number {
  const p = prematurities(b);
  let n = 0;
  for (let i = 0; i < p.length; i++) if (p[i] < threshold && labelOf(i) === 'N') n++;
  return n;
}

/** First beat index with sample ≥ s (binary search). */
export function beatAtOrAfter(samples: readonly number[], s: number): number {
  let lo = 0, hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid] < s) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export function nearestBeat(samples: readonly number[], s: number): number {
  const i = beatAtOrAfter(samples, s);
  if (i === 0) return samples.length ? 0 : -1;
  if (i === samples.length) return i - 1;
  return s - samples[i - 1] < samples[i] - s ? i - 1 : i;
}

/** Heart rate (bpm) per bin and count of beats per label per bin, for the overview strip. */
export function overviewSeries(b: BeatTable, length: number, bins: number, labelOf: (i: number) => string) {
  const hr = new Array<number | null>(bins).fill(null);
  const rrSum = new Float64Array(bins), rrN = new Float64Array(bins);
  const ectopic = new Array<number>(bins).fill(0);
  const binOf = (s: number): number => Math.min(bins - 1, Math.floor((s / length) * bins));
  for (let i = 1; i < b.samples.length; i++) {
    const rr = (b.samples[i] - b.samples[i - 1]) / b.fs;
    if (rr > 0.25 && rr < 3) { const k = binOf(b.samples[i]); rrSum[k] += rr; rrN[k]++; }
  }
  for (let i = 0; i < b.samples.length; i++) { const l = labelOf(i); if (l !== 'N' && l !== '-') ectopic[binOf(b.samples[i])]++; }
  for (let k = 0; k < bins; k++) if (rrN[k]) hr[k] = 60 / (rrSum[k] / rrN[k]);
  return { hr, ectopic };
}
