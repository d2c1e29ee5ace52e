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
}
