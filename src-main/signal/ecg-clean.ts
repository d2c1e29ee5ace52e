/**
 * ECG conditioning before analysis: baseline-wander removal plus band limitation, for one of two purposes.
 *
 *  - `qrs`: 5–15 Hz band-pass, the QRS energy band (Pan & Tompkins 1985); P and T waves and baseline are
 *    suppressed. For detectors and fiducial search.
 *  - `morphology`: 0.5–40 Hz, the diagnostic band for beat shape (AHA recommendation for monitoring-grade ECG;
 *    0.5 Hz keeps ST/T shape acceptable for beat classification) — baseline wander and EMG/high-frequency
 *    noise out, P/QRS/T shape kept. For beat segmentation and classifiers.
 *
 * High-pass: 2nd-order Butterworth; low-pass: 4th-order (flat to ~0.8 of the cut-off).
 * `ecgClean` is offline and zero-phase (forward-backward Butterworth, so waves are not shifted in time);
 * `EcgCleaner` is the causal streaming form (same filters run once forward, so it has phase delay) whose
 * chunked output equals its whole-array output. Either can also notch the mains frequency.
 */
import { BiquadCascade, butterworthHighPass, butterworthLowPass, filtfilt, type Biquad, type FloatArray } from './biquad.js';
import { checkRate } from './errors.js';
import { notchSections } from './notch.js';

export type CleanPurpose = 'qrs' | 'morphology';

export interface EcgCleanOptions {
  /** Default `morphology`. */
  purpose?: CleanPurpose;
  /** Override the band, Hz. */
  lowCut?: number;
  highCut?: number;
  /** Mains frequency to notch (50 or 60 Hz); default none. */
  powerline?: number;
}

const BANDS: Record<CleanPurpose, [number, number]> = { qrs: [5, 15], morphology: [0.5, 40] };

export function cleanSections(fs: number, options: EcgCleanOptions = {}): Biquad[] {
  checkRate(fs);
  const [lo0, hi0] = BANDS[options.purpose ?? 'morphology'];
  const lo = options.lowCut ?? lo0;
  const hi = Math.min(options.highCut ?? hi0, 0.45 * fs);
  const sections = [...butterworthHighPass(lo, fs, 2), ...butterworthLowPass(hi, fs, 4)];
  if (options.powerline && options.powerline < fs / 2) sections.push(...notchSections(fs, { frequency: options.powerline }));
  return sections;
}

/** Zero-phase cleaning of a whole lead (NaN samples are held at the last valid value). */
export function ecgClean(signal: ArrayLike<number>, fs: number, options: EcgCleanOptions = {}): Float64Array {
  const lo = options.lowCut ?? BANDS[options.purpose ?? 'morphology'][0];
  // Pad by about three time constants of the high-pass so edges do not ring.
  return filtfilt(cleanSections(fs, options), signal, Math.round((3 * fs) / lo));
}

/** Causal streaming cleaner. */
export class EcgCleaner {
  private readonly cascade: BiquadCascade;
  constructor(readonly fs: number, options: EcgCleanOptions = {}) {
    this.cascade = new BiquadCascade(cleanSections(fs, options));
  }
  process(chunk: ArrayLike<number>, out?: FloatArray): FloatArray {
    return this.cascade.process(chunk, out);
  }
}
