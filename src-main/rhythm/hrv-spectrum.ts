/**
 * Frequency-domain HRV: the Lomb–Scargle periodogram of each 5-minute segment of NN intervals (the intervals are
 * unevenly spaced in time, so no resampling is needed, as in the PhysioNet HRV Toolkit), scaled so that the power
 * up to 0.5 Hz equals the segment's variance, then the Task Force's band powers averaged over the segments
 * (Circulation 1996;93:1043–65: VLF ≤ 0.04 Hz, LF 0.04–0.15 Hz, HF 0.15–0.4 Hz).
 */
import type { HrvSpectrum } from '../domain/holter.js';

export const HRV_BANDS = { vlf: [0.0033, 0.04], lf: [0.04, 0.15], hf: [0.15, 0.4] } as const;
/** Frequency step of the periodogram (Hz): half the 5-minute segment's resolution (1/300 Hz), oversampled twice. */
const DF = 1 / 600;
const F_MAX = 0.5;

/**
 * One-sided Lomb–Scargle spectrum (ms²/Hz on the grid DF, 2·DF, … ≤ 0.5 Hz) of values `x` (ms) at times `t` (s),
 * normalised so that its integral equals the variance of `x`.
 */
export function lombSpectrum(t: ArrayLike<number>, x: ArrayLike<number>): { f: Float64Array; psd: Float64Array } {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (x[i] - mean) ** 2;
  variance /= n;
  const m = Math.floor(F_MAX / DF);
  const f = new Float64Array(m), psd = new Float64Array(m);
  // cos/sin of ω·t for every sample, advanced one frequency step at a time by rotation: no trigonometry per term
  const c = new Float64Array(n), s = new Float64Array(n), dc = new Float64Array(n), ds = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dc[i] = Math.cos(2 * Math.PI * DF * t[i]); ds[i] = Math.sin(2 * Math.PI * DF * t[i]);
    c[i] = 1; s[i] = 0; y[i] = x[i] - mean;
  }
  let total = 0;
  for (let j = 0; j < m; j++) {
    f[j] = (j + 1) * DF;
    let s2 = 0, c2 = 0;
    for (let i = 0; i < n; i++) {
      const cn = c[i] * dc[i] - s[i] * ds[i];
      s[i] = s[i] * dc[i] + c[i] * ds[i];
      c[i] = cn;
      s2 += 2 * s[i] * c[i]; c2 += c[i] * c[i] - s[i] * s[i];
    }
    // Lomb's time offset τ makes the sine and cosine terms orthogonal: 2ωτ = atan2(Σ sin 2ωt, Σ cos 2ωt)
    const half = Math.atan2(s2, c2) / 2, ct = Math.cos(half), st = Math.sin(half);
    let yc = 0, ys = 0, cc = 0, ss = 0;
    for (let i = 0; i < n; i++) {
      const co = c[i] * ct + s[i] * st, si = s[i] * ct - c[i] * st;
      yc += y[i] * co; ys += y[i] * si; cc += co * co; ss += si * si;
    }
    psd[j] = (cc > 0 ? (yc * yc) / cc : 0) + (ss > 0 ? (ys * ys) / ss : 0);
    total += psd[j] * DF;
  }
  if (total > 0) for (let j = 0; j < m; j++) psd[j] *= variance / total;
  return { f, psd };
}

function bandPower(f: Float64Array, psd: Float64Array, lo: number, hi: number): number {
  let p = 0;
  for (let j = 0; j < f.length; j++) if (f[j] > lo && f[j] <= hi) p += psd[j] * DF;
  return p;
}

/** Average band powers over segments, each given as NN end times (s) and NN intervals (ms). */
export function segmentSpectra(segments: readonly { t: number[]; nn: number[] }[]): HrvSpectrum | null {
  if (segments.length === 0) return null;
  let vlf = 0, lf = 0, hf = 0;
  for (const s of segments) {
    const { f, psd } = lombSpectrum(s.t, s.nn);
    vlf += bandPower(f, psd, HRV_BANDS.vlf[0], HRV_BANDS.vlf[1]);
    lf += bandPower(f, psd, HRV_BANDS.lf[0], HRV_BANDS.lf[1]);
    hf += bandPower(f, psd, HRV_BANDS.hf[0], HRV_BANDS.hf[1]);
  }
  const k = segments.length;
  vlf /= k; lf /= k; hf /= k;
  return {
    segments: k, total: vlf + lf + hf, vlf, lf, hf,
    lfHf: hf > 0 ? lf / hf : null,
    lfNu: lf + hf > 0 ? (100 * lf) / (lf + hf) : null,
    hfNu: lf + hf > 0 ? (100 * hf) / (lf + hf) : null,
  };
}
