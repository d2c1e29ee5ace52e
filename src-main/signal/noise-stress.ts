/**
 * The EC57 noise stress test's records, made the way the MIT-BIH Noise Stress Test Database was made with WFDB's
 * `nst` (documented in its manual page and in Moody, Muldrow & Mark, "A noise stress test for arrhythmia
 * detectors", Computers in Cardiology 1984): a clean record stays clean for its first 5 minutes, then noise is
 * added in 2-minute segments alternating with 2-minute clean ones, to the end. The noise gain gives the requested
 * signal-to-noise ratio, with
 *   S = (QRS peak-to-peak amplitude)² / 8   (a sine wave of that peak-to-peak amplitude has this power),
 *   N = (noise RMS amplitude)²,
 * each amplitude measured as WFDB's `sigamp` measures it: the QRS amplitude as the trimmed mean of the
 * peak-to-peak amplitudes within ±50 ms of the first 300 normal beats, the noise amplitude as the trimmed mean of
 * the RMS amplitudes (mean removed) of the first 300 one-second windows; trimmed means drop the largest and the
 * smallest twentieth. Where the noise gain switches, or the noise record wraps round, a constant offset keeps the
 * output continuous, as `nst` does, so no step is added at the segment boundaries.
 *
 * Everything here works on physical values in typed arrays, one array per signal; reading and writing records is
 * the caller's.
 */
import { SignalError } from './errors.js';

/** Seconds of the clean lead-in, and of each noisy or clean segment after it (EC57 / NSTDB). */
export const STRESS_START_SECONDS = 300;
export const STRESS_SEGMENT_SECONDS = 120;
/** The SNRs of the NSTDB records (dB). */
export const NSTDB_SNRS = [24, 18, 12, 6, 0, -6] as const;

const MAX_MEASUREMENTS = 300;

function trimmedMean(values: number[]): number {
  const v = values.slice().sort((a, b) => a - b);
  const lo = Math.floor(v.length / 20);
  const hi = v.length - lo;
  let s = 0;
  for (let i = lo; i < hi; i++) s += v[i];
  return s / (hi - lo);
}

/** Peak-to-peak QRS amplitude (physical units): trimmed mean over the first 300 normal beats, ±50 ms each. */
export function qrsAmplitude(signal: Float32Array, normalBeats: ArrayLike<number>, fs: number): number {
  const half = Math.round(0.05 * fs);
  const pp: number[] = [];
  for (let b = 0; b < normalBeats.length && pp.length < MAX_MEASUREMENTS; b++) {
    const c = normalBeats[b];
    if (c - half < 0 || c + half >= signal.length) continue;
    let lo = Infinity, hi = -Infinity;
    for (let k = c - half; k <= c + half; k++) {
      const v = signal[k];
      if (Number.isNaN(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi >= lo) pp.push(hi - lo);
  }
  if (pp.length === 0) throw new SignalError('no normal beat inside the signal to measure the QRS amplitude on');
  return trimmedMean(pp);
}

/** RMS amplitude (physical units, mean removed per window): trimmed mean over the first 300 one-second windows. */
export function rmsAmplitude(signal: Float32Array, fs: number): number {
  const w = Math.max(1, Math.round(fs));
  const rms: number[] = [];
  for (let s = 0; s + w <= signal.length && rms.length < MAX_MEASUREMENTS; s += w) {
    let mean = 0;
    for (let k = s; k < s + w; k++) mean += signal[k];
    mean /= w;
    let v = 0;
    for (let k = s; k < s + w; k++) v += (signal[k] - mean) ** 2;
    rms.push(Math.sqrt(v / w));
  }
  if (rms.length === 0) throw new SignalError(`noise signal shorter than one second (${signal.length} samples at ${fs} Hz)`);
  return trimmedMean(rms);
}

/** The noise gain for `snrDb`: RMS noise / peak-to-peak QRS = 10^(−SNR/20) · √2 / 4. */
export function noiseGain(snrDb: number, qrsPeakToPeak: number, noiseRms: number): number {
  if (!Number.isFinite(snrDb)) throw new SignalError(`SNR must be a number of dB, got ${snrDb}`);
  if (!(noiseRms > 0)) throw new SignalError(`noise amplitude is zero: cannot scale it to ${snrDb} dB`);
  return (10 ** (-snrDb / 20) * Math.SQRT2 / 4) * qrsPeakToPeak / noiseRms;
}

export interface StressSegment {
  /** First sample (inclusive) and end (exclusive). */
  from: number;
  to: number;
  noisy: boolean;
}

/** The clean lead-in, then alternating noisy and clean segments to `length`, noisy first. */
export function stressProtocol(length: number, fs: number, startSeconds = STRESS_START_SECONDS, segmentSeconds = STRESS_SEGMENT_SECONDS): StressSegment[] {
  const start = Math.min(length, Math.round(startSeconds * fs));
  const seg = Math.max(1, Math.round(segmentSeconds * fs));
  const out: StressSegment[] = [];
  if (start > 0) out.push({ from: 0, to: start, noisy: false });
  for (let t = start, noisy = true; t < length; t += seg, noisy = !noisy) out.push({ from: t, to: Math.min(length, t + seg), noisy });
  return out;
}

export interface NoiseStressOptions {
  /** Gain per ECG signal (noiseGain). */
  gains: readonly number[];
  segments: readonly StressSegment[];
}

/**
 * ECG signals with noise added over the noisy segments: signal i gets noise signal i mod (noise signals), the
 * noise record read from its start and wrapped round when shorter. Same fs for both (resample the noise first).
 */
export function addStressNoise(ecg: readonly Float32Array[], noise: readonly Float32Array[], o: NoiseStressOptions): Float32Array[] {
  if (noise.length === 0 || noise.some((n) => n.length === 0)) throw new SignalError('the noise record has no samples');
  if (o.gains.length !== ecg.length) throw new SignalError(`${o.gains.length} noise gains for ${ecg.length} ECG signals`);
  return ecg.map((x, i) => {
    const n = noise[i % noise.length];
    const y = new Float32Array(x.length);
    let offset = 0;
    let gain = 0;
    for (const seg of o.segments) {
      const g = seg.noisy ? o.gains[i] : 0;
      // No step where the gain switches: the new gain's output at the switch equals the old one's.
      if (seg.from > 0) offset += (g - gain) * n[seg.from % n.length];
      gain = g;
      for (let t = seg.from; t < seg.to && t < x.length; t++) {
        const k = t % n.length;
        if (k === 0 && t > 0) offset += gain * (n[0] - n[n.length - 1]); // the noise record wraps round
        y[t] = x[t] + gain * n[k] - offset;
      }
    }
    return y;
  });
}
