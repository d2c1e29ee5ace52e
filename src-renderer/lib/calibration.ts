/**
 * How the Metrics and Study tabs write a model's calibration (`CalibrationSummary`: fractions 0–1): percentages with
 * one decimal, the Brier score with three, which way the confidence errs, and the reliability diagram's marks (one
 * per non-empty bin). Pure functions.
 */
import type { CalibrationSummary, ReliabilityBin } from '../../src-main/api/contract.js';

/** A fraction (0–1) in percent with one decimal; none is "—". */
export function percent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? '—' : (v * 100).toFixed(digits);
}

/** The Brier score (0 best, 2 worst) with three decimals, as the reports and the study CSV round it; none is "—". */
export function brierText(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : v.toFixed(3);
}

/** Over-confident when the labels' mean confidence exceeds their accuracy, under-confident otherwise (as the reports say). */
export function confidenceVerdict(c: Pick<CalibrationSummary, 'meanConfidence' | 'accuracy'>): 'over-confident' | 'under-confident' {
  return c.meanConfidence > c.accuracy ? 'over-confident' : 'under-confident';
}

/** A bin of the reliability diagram that holds beats: its index among the 10 and its figures. */
export interface ReliabilityMark {
  index: number;
  lo: number;
  hi: number;
  beats: number;
  confidence: number;
  accuracy: number;
  /** Right less often than it says (below the diagonal). */
  over: boolean;
  /** What the mark's tooltip says. */
  title: string;
}

/** The diagram's marks: the non-empty bins, in confidence order. */
export function reliabilityMarks(bins: readonly ReliabilityBin[]): ReliabilityMark[] {
  return bins.flatMap((b, index) => {
    if (!b.beats || b.confidence === null || b.accuracy === null) return [];
    const range = `${(b.lo * 100).toFixed(0)}–${(b.hi * 100).toFixed(0)} %`;
    return [{
      index, lo: b.lo, hi: b.hi, beats: b.beats, confidence: b.confidence, accuracy: b.accuracy, over: b.accuracy < b.confidence,
      title: `Confidence ${range}: ${b.beats} beat${b.beats === 1 ? '' : 's'}, mean confidence ${percent(b.confidence)} %, accuracy ${percent(b.accuracy)} %`,
    }];
  });
}

/** A bin's beat count short enough for its column (the exact count is in the tooltip): 950, 4.1k, 41k. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1)}k`;
  return `${Math.round(n / 1000)}k`;
}
