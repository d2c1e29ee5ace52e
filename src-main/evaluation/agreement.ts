/**
 * Agreement of one measurement made two ways on the same subjects, as Bland & Altman ask (Lancet 327:307-310,
 * 1986): the mean difference (bias) and the 95 % limits of agreement, bias ± 1.96 SD of the differences. Here the
 * measurement is a recording's ectopy burden from a model's labels against the cardiologists'. A correlation would
 * not do: two methods can correlate perfectly and still differ by a constant or a factor.
 */
import { EvaluationError } from './errors.js';

export interface BlandAltman {
  /** Subjects (recordings) compared. */
  n: number;
  /** Mean of test − reference, and the sample SD (n − 1) of those differences. */
  bias: number;
  sd: number;
  /** bias ∓ 1.96 SD. */
  lower: number;
  upper: number;
  /** The subject with the largest |test − reference| (the first such), and that difference. */
  largest: { index: number; difference: number };
}

/** Bland–Altman figures of `test` against `reference` (one value per subject); null with fewer than two subjects. */
export function blandAltman(reference: ArrayLike<number>, test: ArrayLike<number>, source = 'agreement'): BlandAltman | null {
  if (reference.length !== test.length) throw new EvaluationError(`${source}: ${reference.length} reference values but ${test.length} test values`);
  const n = reference.length;
  if (n < 2) return null;
  let sum = 0;
  let largest = { index: 0, difference: 0 };
  for (let i = 0; i < n; i++) {
    const d = test[i] - reference[i];
    if (!Number.isFinite(d)) throw new EvaluationError(`${source}: subject ${i} has no finite value (reference ${reference[i]}, test ${test[i]})`);
    sum += d;
    if (Math.abs(d) > Math.abs(largest.difference)) largest = { index: i, difference: d };
  }
  const bias = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (test[i] - reference[i] - bias) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return { n, bias, sd, lower: bias - 1.96 * sd, upper: bias + 1.96 * sd, largest };
}
