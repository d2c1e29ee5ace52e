/**
 * How the Metrics and Study tabs write a model's calibration (`CalibrationSummary`: fractions 0–1): percentages with
 * one decimal, the Brier score with three, which way the confidence errs, and the reliability diagram's marks (one
 * per non-empty bin); and the threshold of Review's "low confidence" jump, taken from the review triage a model card
 * measured on DS2 (`card.ds2.calibration.triage`) when it has one. Pure functions.
 */
import type { CalibrationSummary, ReliabilityBin } from '../../src-main/api/contract.js';
import type { TriagePoint } from '../../src-main/domain/calibration.js';
import { DEFAULT_LOW_CONFIDENCE, LOW_CONFIDENCE, type LowConfidence } from './navigation.js';

/** A fraction (0–1) in percent with one decimal; none is "—". */
export function percent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? '—' : (v * 100).toFixed(digits);
}

/** The Brier score (0 best, 2 worst) with three decimals, as the reports and the study CSV round it; none is "—". */
export function brierText(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : v.toFixed(3);
}

/** A calibration interval (fractions) as the study's figures write theirs: `[lo, hi]` in percent, or Brier's three decimals. */
export function calibrationInterval(i: { lo: number; hi: number } | null | undefined, of: 'ece' | 'brier'): string {
  if (!i) return '—';
  const f = of === 'ece' ? (v: number) => percent(v) : brierText;
  return `[${f(i.lo)}, ${f(i.hi)}]`;
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

/** The share of DS2 beats whose triage point sets Review's low-confidence threshold: the least confident 10 %. */
export const REVIEW_TRIAGE_SHARE = 0.1;

const isFraction = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The review-triage point at `share` of a model card as shipped (`card.ds2.calibration.triage`), or null when the card
 * has none or it is malformed (older cards, user models).
 */
export function cardTriagePoint(card: unknown, share = REVIEW_TRIAGE_SHARE): TriagePoint | null {
  const at = (o: unknown, k: string): unknown => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined);
  const triage = at(at(at(card, 'ds2'), 'calibration'), 'triage');
  if (!Array.isArray(triage)) return null;
  const p: unknown = triage.find((t) => typeof at(t, 'share') === 'number' && Math.abs((at(t, 'share') as number) - share) < 1e-9);
  const errorShare = at(p, 'errorShare');
  if (!isFraction(at(p, 'confidenceBelow')) || !isCount(at(p, 'beats')) || !isCount(at(p, 'errorsFound')) || !(errorShare === null || isFraction(errorShare))) return null;
  const t = p as TriagePoint;
  return { share: t.share, beats: t.beats, confidenceBelow: t.confidenceBelow, errorsFound: t.errorsFound, errorShare: t.errorShare };
}

/** Review's low-confidence threshold for a run's model. */
export interface ReviewThreshold {
  /** What `nextLowConfidence` takes. */
  rule: LowConfidence;
  /** The limit (0–1). */
  value: number;
  /** The model card's DS2 triage point it comes from; null: the fixed 60 %. */
  point: TriagePoint | null;
  /** For a button: `≤ 78 %`, or `< 60 %`. */
  short: string;
  /** For a sentence: `at or below 78.0 %`, or `below 60.0 %`. */
  phrase: string;
}

/**
 * The threshold from a model card: at or below the confidence of its least confident 10 % of DS2 beats (which held
 * 48–66 % of a shipped model's errors there); the fixed "below 60 %" when the card has no triage.
 */
export function reviewThreshold(card: unknown): ReviewThreshold {
  const point = cardTriagePoint(card);
  if (!point) return { rule: DEFAULT_LOW_CONFIDENCE, value: LOW_CONFIDENCE, point: null, short: `< ${Math.round(LOW_CONFIDENCE * 100)} %`, phrase: `below ${percent(LOW_CONFIDENCE)} %` };
  const v = point.confidenceBelow;
  return { rule: { atOrBelow: v }, value: v, point, short: `≤ ${Math.round(v * 100)} %`, phrase: `at or below ${percent(v)} %` };
}

/** A share in percent as a sentence says it: `10 %`, `2.5 %`. */
const shareText = (share: number): string => `${+(share * 100).toFixed(1)} %`;

/**
 * What the threshold means, for the low-confidence button's tooltip: where it comes from, how many of this run's
 * classified beats it stops at (`run`), and the keys.
 */
export function reviewThresholdTitle(t: ReviewThreshold, run?: { low: number; classified: number; adapted: boolean }): string {
  const p = t.point;
  const what = p
    ? `Beats ${t.phrase}: on DS2 the least confident ${shareText(p.share)} of this model's beats, ${p.errorShare === null ? 'on which it made no error' : `which held ${percent(p.errorShare)} % of its errors`}.${run?.adapted ? " Measured on the model as shipped: this run's model was adapted to the patient, which changes its confidence." : ''}`
    : `Beats ${t.phrase}: a fixed threshold (the model card gives no DS2 review triage).`;
  const count = run && run.classified ? ` This run: ${run.low} of its ${run.classified} classified beats (${percent(run.low / run.classified)} %).` : '';
  return `${what}${count} Key C (Shift+C: back).`;
}
