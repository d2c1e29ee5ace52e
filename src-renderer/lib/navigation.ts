/** Beat navigation over a BeatTable: pure functions, so keyboard behaviour is unit-tested without a DOM. */
import type { BeatTable } from '../../src-main/api/contract.js';

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
export function findBeat(b: BeatTable, from: number, dir: 1 | -1, pred: (i: number) => boolean): number {
  for (let i = from + dir; i >= 0 && i < b.samples.length; i += dir) if (pred(i)) return i;
  return -1;
}

export const nextDisagreement = (b: BeatTable, from: number, dir: 1 | -1 = 1): number => findBeat(b, from, dir, (i) => isDisagreement(b, i));
export const nextOfClass = (b: BeatTable, from: number, label: string, labelOf: (i: number) => string, dir: 1 | -1 = 1): number => findBeat(b, from, dir, (i) => labelOf(i) === label);
/** Next (or previous) classified beat whose confidence is low by `threshold` (default: below 0.6). */
export const nextLowConfidence = (b: BeatTable, from: number, dir: 1 | -1 = 1, threshold: LowConfidence = DEFAULT_LOW_CONFIDENCE): number =>
  findBeat(b, from, dir, (i) => b.predicted[i] !== '-' && isLowConfidence(b.confidence[i], threshold));

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
