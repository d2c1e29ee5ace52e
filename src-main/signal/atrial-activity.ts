/**
 * Atrial activity locked to the QRS: is there a P wave that the beats share? In sinus rhythm each conducted beat
 * has a P wave at a fixed time before its R peak, so the PR segments of neighbouring beats add up to a clear
 * template. In atrial fibrillation the f waves bear no fixed relation to the QRS and average out. This is what AF
 * with a regular or fast ventricular response still shows when its RR intervals no longer look irregular.
 *
 * Score of a beat: over the N beats among the `windowBeats` around it, the energy of their mean PR segment
 * (R − `from` to R − `to`, band-passed `lowCut`–`highCut` Hz, each segment's own mean removed) over the mean energy of
 * each segment minus that mean: a signal-to-residual ratio, so it does not depend on the gain. The largest over the
 * leads is kept (P and f waves are clearer in some leads). On MIT-BIH, beats in sinus rhythm mostly score 1–40, beats
 * in AF 0.02–0.2 (README, "The Holter summary").
 *
 * A beat's segment is used only when the beat before it lies at least `from` + 0.1 s earlier, so the segment does
 * not reach into that beat's QRS or steep T wave. NaN where fewer than a quarter of the window's beats are usable
 * (fast rates, ectopy, a window of few N beats): the rhythm module then judges by the RR intervals alone.
 */
import { butterworthHighPass, butterworthLowPass, filtfilt } from './biquad.js';
import { checkRate, SignalError } from './errors.js';

export interface AtrialActivityOptions {
  /** Start of the PR segment, seconds before the R peak. */
  from?: number;
  /** End of the PR segment, seconds before the R peak (before the QRS's onset). */
  to?: number;
  /** Beats around each beat whose PR segments are averaged. */
  windowBeats?: number;
  lowCut?: number;
  highCut?: number;
}

const DEFAULTS: Required<AtrialActivityOptions> = { from: 0.25, to: 0.06, windowBeats: 64, lowCut: 0.5, highCut: 15 };

/** Seconds filtered at a time, and the margin each side that the filter's start-up needs (whole records need not be held twice in doubles). */
const BLOCK_SECONDS = 60;
const PAD_SECONDS = 3;

/**
 * Per beat, the QRS-locked atrial activity score (see the header); NaN where it cannot be judged. `leads` are the
 * recording's leads in any unit, `samples` the R peaks ascending, `labels` one AAMI class letter per beat.
 */
export function atrialActivity(leads: readonly ArrayLike<number>[], fs: number, samples: ArrayLike<number>, labels: ArrayLike<string>, options: AtrialActivityOptions = {}): Float32Array {
  checkRate(fs);
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<AtrialActivityOptions>;
  if (!(o.from > o.to && o.to >= 0)) throw new SignalError(`atrial activity: the PR segment must run from more to fewer seconds before the R peak, got ${o.from} to ${o.to}`);
  if (!(Number.isInteger(o.windowBeats) && o.windowBeats >= 8)) throw new SignalError(`atrial activity: window must be a whole number ≥ 8 of beats, got ${o.windowBeats}`);
  if (samples.length !== labels.length) throw new SignalError(`atrial activity: ${samples.length} beat times but ${labels.length} labels`);
  if (leads.length === 0) throw new SignalError('atrial activity: no leads given');
  const n = samples.length;
  const a = Math.round(o.from * fs), b = Math.round(o.to * fs), len = a - b;
  const guard = a + Math.round(0.1 * fs);
  const usable = new Uint8Array(n);
  for (let i = 1; i < n; i++) usable[i] = labels[i] === 'N' && samples[i] - samples[i - 1] >= guard && samples[i] - a >= 0 && samples[i] - b <= leads[0].length ? 1 : 0;
  const best = new Float32Array(n).fill(NaN);
  for (const lead of leads) keepLarger(best, windowScores(prSegments(lead, fs, samples, usable, a, len, o.lowCut, o.highCut), usable, len, o.windowBeats));
  return best;
}

/**
 * Beat by beat, the larger of two leads' scores into `best` (NaN only where both are): how the leads are combined,
 * for a caller that reads a long recording one lead at a time.
 */
export function keepLarger(best: Float32Array, score: Float32Array): Float32Array {
  for (let i = 0; i < best.length; i++) if (!(best[i] >= score[i]) && !Number.isNaN(score[i])) best[i] = score[i];
  return best;
}

/** The band-passed PR segment of each usable beat, its own mean removed; filtered block by block. */
function prSegments(lead: ArrayLike<number>, fs: number, samples: ArrayLike<number>, usable: Uint8Array, a: number, len: number, lowCut: number, highCut: number): Float32Array {
  const sections = [...butterworthHighPass(lowCut, fs), ...butterworthLowPass(highCut, fs)];
  const out = new Float32Array(samples.length * len);
  const block = Math.round(BLOCK_SECONDS * fs), pad = Math.round(PAD_SECONDS * fs);
  let i = 0;
  for (let from = 0; from < lead.length && i < samples.length; from += block) {
    const to = Math.min(lead.length, from + block);
    // beats whose segment starts in [from, to)
    let j = i;
    while (j < samples.length && samples[j] - a < to) j++;
    if (j === i) continue;
    const lo = Math.max(0, from - pad), hi = Math.min(lead.length, to + pad);
    const x = filtfilt(sections, sliceOf(lead, lo, hi));
    for (; i < j; i++) {
      if (!usable[i]) continue;
      const start = samples[i] - a - lo;
      let mean = 0;
      for (let k = 0; k < len; k++) mean += x[start + k];
      mean /= len;
      for (let k = 0; k < len; k++) out[i * len + k] = x[start + k] - mean;
    }
  }
  return out;
}

function sliceOf(x: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  return ArrayBuffer.isView(x) ? (x as unknown as Float32Array).subarray(from, to) : Array.prototype.slice.call(x, from, to) as number[];
}

/** Template energy over mean residual energy, over the usable beats of the window centred on each beat. */
function windowScores(seg: Float32Array, usable: Uint8Array, len: number, windowBeats: number): Float32Array {
  const n = usable.length, half = Math.floor(windowBeats / 2);
  const out = new Float32Array(n).fill(NaN);
  // running sums over the window: Σ segments and Σ of their energies; the residual energy is Σ‖s‖² / m − ‖mean‖²
  const sum = new Float64Array(len);
  let energy = 0, m = 0;
  const add = (j: number, sign: number): void => {
    if (!usable[j]) return;
    let e = 0;
    for (let k = 0; k < len; k++) { const v = seg[j * len + k]; sum[k] += sign * v; e += v * v; }
    energy += sign * e;
    m += sign;
  };
  let lo = 0, hi = -1;
  for (let i = 0; i < n; i++) {
    const wantLo = Math.max(0, i - half), wantHi = Math.min(n - 1, i + half);
    while (hi < wantHi) add(++hi, 1);
    while (lo < wantLo) add(lo++, -1);
    if (m < windowBeats / 4) continue;
    let t = 0;
    for (let k = 0; k < len; k++) { const v = sum[k] / m; t += v * v; }
    const residual = energy / m - t;
    out[i] = residual > 0 ? t / residual : NaN;
  }
  return out;
}
