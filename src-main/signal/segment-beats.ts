/**
 * Beat segmentation for classifiers: for each beat, a fixed window of samples around its fiducial point
 * (optionally at another sampling rate than the recording's) and the RR-interval features beat classifiers
 * use (de Chazal, O'Dwyer & Reilly, IEEE TBME 51(7):1196-1206, 2004; Mondéjar-Guerra et al., BSPC 47:41-48,
 * 2019): previous RR, next RR, local average RR, recording average RR and their ratios.
 *
 * Output is flat typed arrays — windows as beats × leads × windowLength, features as beats × FEATURE_NAMES —
 * never one object per beat.
 */
import { checkRate, SignalError } from './errors.js';
import { resample } from './resample.js';

export const RR_FEATURE_NAMES = [
  'preRR', // s, to the previous beat (first beat: its next RR)
  'postRR', // s, to the next beat (last beat: its previous RR)
  'localRR', // s, mean of the last `localBeats` RR intervals up to this beat's preRR
  'averageRR', // s, mean RR of the whole beat list
  'preRR/averageRR',
  'postRR/averageRR',
  'preRR/localRR',
  'postRR/preRR',
] as const;

export interface SegmentOptions {
  /** Seconds before the fiducial point (default 0.25). */
  before?: number;
  /** Seconds after the fiducial point (default 0.45). */
  after?: number;
  /** Rate of the windows, Hz (default: the recording's). */
  targetFs?: number;
  /** RR intervals averaged for localRR (default 10). */
  localBeats?: number;
  /** Average RR to use instead of this beat list's (e.g. of the whole recording when segmenting a part), s. */
  averageRr?: number;
}

export interface BeatSegments {
  /** Number of beats. */
  count: number;
  leads: number;
  /** Samples per window at `fs`: round(before·fs) + 1 + round(after·fs); the fiducial is at index round(before·fs). */
  windowLength: number;
  fs: number;
  /** beats × leads × windowLength. Samples outside the recording repeat its first / last sample. */
  windows: Float32Array;
  /** beats × RR_FEATURE_NAMES.length. */
  features: Float32Array;
  featureNames: readonly string[];
}

export function segmentBeats(
  signals: ArrayLike<number>[] | ArrayLike<number>,
  fs: number,
  beatSamples: ArrayLike<number>,
  options: SegmentOptions = {},
): BeatSegments {
  checkRate(fs);
  const leads = Array.isArray(signals) && (signals.length === 0 || typeof signals[0] !== 'number') ? (signals as ArrayLike<number>[]) : [signals as ArrayLike<number>];
  if (leads.length === 0) throw new SignalError('segmentBeats needs at least one lead');
  const n = leads[0].length;
  for (const l of leads) if (l.length !== n) throw new SignalError(`leads of unequal length (${n} vs ${l.length} samples)`);
  const before = options.before ?? 0.25, after = options.after ?? 0.45;
  if (!(before >= 0) || !(after >= 0)) throw new SignalError(`window before/after must be ≥ 0 s, got ${before}/${after}`);
  const target = options.targetFs ?? fs;
  checkRate(target, 'target sampling rate');
  const localBeats = options.localBeats ?? 10;
  if (!Number.isInteger(localBeats) || localBeats < 1) throw new SignalError(`localBeats must be a positive integer, got ${localBeats}`);
  const count = beatSamples.length;
  for (let i = 0; i < count; i++) {
    const b = beatSamples[i];
    if (!Number.isFinite(b) || b < 0 || b >= n) throw new SignalError(`beat ${i} at sample ${b} lies outside the recording (0..${n - 1})`);
    if (i > 0 && b <= beatSamples[i - 1]) throw new SignalError(`beat samples must increase strictly (beat ${i} at ${b} after ${beatSamples[i - 1]})`);
  }

  const nb = Math.round(before * target), na = Math.round(after * target);
  const windowLength = nb + 1 + na;
  const L = leads.length;
  const windows = new Float32Array(count * L * windowLength);
  for (let l = 0; l < L; l++) {
    const x = target === fs ? leads[l] : resample(leads[l], fs, target);
    const m = x.length;
    for (let i = 0; i < count; i++) {
      const centre = target === fs ? beatSamples[i] : Math.round((beatSamples[i] * target) / fs);
      const at = (i * L + l) * windowLength;
      for (let j = 0; j < windowLength; j++) {
        let k = centre - nb + j;
        if (k < 0) k = 0; else if (k >= m) k = m - 1;
        windows[at + j] = x[k];
      }
    }
  }

  const F = RR_FEATURE_NAMES.length;
  const features = new Float32Array(count * F);
  const rr = new Float64Array(Math.max(0, count - 1));
  for (let i = 1; i < count; i++) rr[i - 1] = (beatSamples[i] - beatSamples[i - 1]) / fs;
  let avg = options.averageRr ?? 0;
  if (!options.averageRr) {
    let s = 0;
    for (const v of rr) s += v;
    avg = rr.length > 0 ? s / rr.length : NaN;
  }
  let localSum = 0;
  for (let i = 0; i < count; i++) {
    const pre = i > 0 ? rr[i - 1] : rr.length > 0 ? rr[0] : NaN;
    const post = i < count - 1 ? rr[i] : pre;
    // local mean over the last `localBeats` intervals ending with this beat's preRR
    if (i > 0) {
      localSum += rr[i - 1];
      if (i - 1 - localBeats >= 0) localSum -= rr[i - 1 - localBeats];
    }
    const nLocal = Math.min(i, localBeats);
    const local = nLocal > 0 ? localSum / nLocal : pre;
    const f = i * F;
    features[f] = pre;
    features[f + 1] = post;
    features[f + 2] = local;
    features[f + 3] = avg;
    features[f + 4] = pre / avg;
    features[f + 5] = post / avg;
    features[f + 6] = pre / local;
    features[f + 7] = post / pre;
  }
  return { count, leads: L, windowLength, fs: target, windows, features, featureNames: RR_FEATURE_NAMES };
}
