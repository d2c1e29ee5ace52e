/**
 * How far a classifier's confidence can be trusted, as plain data: computed by `evaluation/calibration.ts`, shown by
 * the renderer, the reports and `compare`. Fractions (0–1).
 */

/** One bin of a reliability diagram: beats whose label's probability fell in [lo, hi) (the last bin holds 1). */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  beats: number;
  /** Mean confidence and accuracy of the bin's beats, null when it is empty. */
  confidence: number | null;
  accuracy: number | null;
}

export interface CalibrationFigures {
  /** Beats with a reference class and a label (those the accuracy counts). */
  beats: number;
  /** Mean confidence of the label given, and accuracy; confidence − accuracy > 0 is overconfidence. */
  meanConfidence: number;
  accuracy: number;
  /** The reliability diagram of the label given (equal-width bins). */
  bins: ReliabilityBin[];
  /** Expected calibration error Σ_b (n_b / n) |accuracy_b − confidence_b|, and the largest bin gap. */
  ece: number;
  mce: number;
  /** Brier score of all class probabilities: mean Σ_k (p_k − [reference = k])², 0 best, 2 worst. */
  brier: number;
  /** One-vs-rest ECE of each class that occurs in the reference or gets probability (same bins). */
  classwise: { label: string; beats: number; ece: number }[];
  /**
   * Review triage: checking the least confident beats first, what share of the model's errors a reviewer finds
   * for a given share of beats checked (a risk–coverage view of the confidence).
   */
  triage: TriagePoint[];
  /** The model's wrong labels among `beats`. */
  errors: number;
  /**
   * Record-bootstrap intervals of ECE and Brier, when the beats came from two or more recordings: a patient's beats
   * are not independent draws, so the recordings are resampled (absent for one recording, and in older cards).
   */
  intervals?: CalibrationIntervals;
}

/** 95 % (or `level`) percentile intervals over recordings resampled with replacement, as fractions. */
export interface CalibrationIntervals {
  method: string;
  level: number;
  records: number;
  ece: { lo: number; hi: number } | null;
  brier: { lo: number; hi: number } | null;
}

export interface TriagePoint {
  /** Share of the beats checked, least confident first (0–1), and how many that is. */
  share: number;
  beats: number;
  /** The highest confidence among them: check every beat at or below it. */
  confidenceBelow: number;
  /** Errors among them, and their share of all the model's errors (null with no errors). */
  errorsFound: number;
  errorShare: number | null;
}
