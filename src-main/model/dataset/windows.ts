/**
 * Beat windows: a fixed span around each R peak of the conditioned signal, as one input channel — the beat
 * minus the recording's median beat (its template), scaled by the template's spread: a per-recording amplitude
 * normalisation that turns "how does this beat differ from this patient's usual beat" into the input.
 * Plus two per-beat features: correlation with the template and the log peak-to-peak ratio to it.
 *
 * Why not the beat itself, z-scored per beat (the usual input, and our first version)? With it the network
 * memorised each training patient's morphology: on DS1 patient-wise validation (records 118, 124, 205, 207, 223)
 * S sensitivity stayed at 5–15 % over 10 epochs, against ≈ 50 % with the template difference alone. A model may
 * still see the beat itself as a second channel (BEAT_CHANNELS) scaled per recording, beside the difference: that
 * raised the DS1 patient-wise objective of the cnn and the causal cnn (see the README).
 */
export const WINDOW_CHANNELS = ['beat-minus-template'] as const;
/** The channels of a two-lead window: the same input for the recording's second ECG lead (its own template). */
export const TWO_LEAD_CHANNELS = ['beat-minus-template', 'beat-minus-template-second-lead'] as const;
/**
 * The channels with the beat itself beside its difference from the template (`train --beat-channel`): the beat
 * minus the template's mean over the template's spread, i.e. normalised per recording, not per beat, so the
 * patient's own scale stays and the P wave and QRS shape are seen directly, not only as a difference.
 */
export const BEAT_CHANNELS = ['beat-minus-template', 'beat'] as const;
export const TEMPLATE_FEATURE_NAMES = ['template-corr', 'log-amp-ratio'] as const;

export interface WindowSpec {
  /** Sampling rate of the windows (Hz). */
  fs: number;
  /** Samples before the R peak. */
  before: number;
  /** Samples from the R peak on (the R sample included). */
  after: number;
  /**
   * Inputs computed causally (causal.ts: trailing filters, template and RR from earlier beats only), so a live
   * device can label a beat `after` samples past its R peak. Absent for the offline models.
   */
  causal?: boolean;
  /**
   * 2: the windows also read the recording's second ECG lead (MIT-BIH: V1, V2, V4 or V5) as a second channel, as
   * de Chazal et al. 2004 used both leads. Absent: one lead.
   */
  leads?: 2;
  /** true: a second channel holds the beat itself (BEAT_CHANNELS). One lead only. Absent: the difference alone. */
  beat?: true;
}

/** The input channel names of windows made by `w`. */
export function windowChannels(w: WindowSpec): readonly string[] {
  return w.leads === 2 ? TWO_LEAD_CHANNELS : w.beat ? BEAT_CHANNELS : WINDOW_CHANNELS;
}

export const DEFAULT_WINDOW: WindowSpec = { fs: 180, before: 45, after: 75 };

export function windowLength(w: WindowSpec): number {
  return w.before + w.after;
}

/** Copy the raw window around `center` (zero outside the signal). */
export function cutWindow(sig: Float32Array, center: number, w: WindowSpec, out: Float32Array): void {
  const start = center - w.before;
  const len = w.before + w.after;
  for (let j = 0; j < len; j++) {
    const k = start + j;
    out[j] = k >= 0 && k < sig.length ? sig[k] : 0;
  }
}

/** Element-wise median of up to `max` evenly spaced beats: the recording's typical beat. */
export function medianTemplate(sig: Float32Array, centers: ArrayLike<number>, w: WindowSpec, max = 2000): Float32Array {
  const len = windowLength(w);
  const n = centers.length;
  const tpl = new Float32Array(len);
  if (n === 0) return tpl;
  const m = Math.min(n, max);
  const buf = new Float32Array(m * len);
  const one = new Float32Array(len);
  for (let i = 0; i < m; i++) {
    cutWindow(sig, centers[Math.floor((i * n) / m)], w, one);
    buf.set(one, i * len);
  }
  const col = new Float32Array(m);
  for (let j = 0; j < len; j++) {
    for (let i = 0; i < m; i++) col[i] = buf[i * len + j];
    col.sort();
    tpl[j] = m % 2 ? col[m >> 1] : 0.5 * (col[(m >> 1) - 1] + col[m >> 1]);
  }
  return tpl;
}

/**
 * Windows of all beats at `centers` (sample indices of the conditioned signal), layout [beat][time][channel],
 * and the template features, layout [beat][feature].
 */
export function extractWindows(sig: Float32Array, centers: ArrayLike<number>, w: WindowSpec): { x: Float32Array; templateFeatures: Float32Array } {
  const len = windowLength(w);
  const n = centers.length;
  // One lead's channels: a two-lead window is two of these interleaved (beats.ts).
  const C = w.beat ? BEAT_CHANNELS.length : WINDOW_CHANNELS.length;
  const x = new Float32Array(n * len * C);
  const tf = new Float32Array(n * TEMPLATE_FEATURE_NAMES.length);
  const tpl = templateStats(medianTemplate(sig, centers, w));
  const one = new Float32Array(len);
  for (let i = 0; i < n; i++) {
    cutWindow(sig, centers[i], w, one);
    beatAgainstTemplate(one, tpl, x, i * len * C, C, tf, i * TEMPLATE_FEATURE_NAMES.length, w.beat ? 1 : -1);
  }
  return { x, templateFeatures: tf };
}

/** A template beat and the statistics every beat's inputs use. */
export interface TemplateStats { t: Float32Array; mean: number; std: number; pp: number }

export function templateStats(t: Float32Array): TemplateStats {
  const len = t.length;
  let mean = 0;
  for (let j = 0; j < len; j++) mean += t[j];
  mean /= len;
  let v = 0;
  let mn = Infinity;
  let mx = -Infinity;
  for (let j = 0; j < len; j++) { v += (t[j] - mean) ** 2; mn = Math.min(mn, t[j]); mx = Math.max(mx, t[j]); }
  return { t, mean, std: Math.sqrt(v / len) || 1e-3, pp: mx - mn || 1e-3 };
}

/**
 * One beat's inputs against a template (offline: the record's median beat; causal.ts: the earlier beats'):
 * its window channel, beat minus template over the template's spread, written to `x` from `xo` with stride `C`,
 * and its template features (correlation, log peak-to-peak ratio) to `tf` at `to`, `to + 1`. With `beatAt` ≥ 0 the
 * beat itself (minus the template's mean, over its spread) is written to channel `beatAt` too.
 */
export function beatAgainstTemplate(one: Float32Array, tpl: TemplateStats, x: Float32Array, xo: number, C: number, tf: Float32Array, to: number, beatAt = -1): void {
  const len = one.length;
  let mean = 0;
  for (let j = 0; j < len; j++) mean += one[j];
  mean /= len;
  let v = 0;
  let cov = 0;
  let mn = Infinity;
  let mx = -Infinity;
  for (let j = 0; j < len; j++) {
    const d = one[j] - mean;
    v += d * d;
    cov += d * (tpl.t[j] - tpl.mean);
    if (one[j] < mn) mn = one[j];
    if (one[j] > mx) mx = one[j];
  }
  const std = Math.sqrt(v / len) || 1e-3;
  for (let j = 0; j < len; j++) x[xo + j * C] = Math.max(-20, Math.min(20, (one[j] - tpl.t[j]) / tpl.std));
  if (beatAt >= 0) for (let j = 0; j < len; j++) x[xo + j * C + beatAt] = Math.max(-20, Math.min(20, (one[j] - tpl.mean) / tpl.std));
  tf[to] = cov / len / (std * tpl.std);
  tf[to + 1] = Math.max(-3, Math.min(3, Math.log(((mx - mn) || 1e-3) / tpl.pp)));
}
