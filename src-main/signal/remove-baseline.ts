/**
 * Baseline-wander removal, two ways:
 *  - `highpass` (default): zero-phase 2nd-order Butterworth high-pass at 0.5 Hz (forward-backward, so 4th-order
 *    magnitude and no phase shift). Fast; respiration (0.1–0.5 Hz) and electrode drift go, QRS/T stay.
 *  - `median`: the two-stage median filter of de Chazal, O'Dwyer & Reilly (IEEE TBME 51(7), 2004): a 200 ms
 *    median removes QRS and P, a 600 ms median of that removes T; the result is the baseline, subtracted from
 *    the signal. Keeps ST levels better than a high-pass; slower (sliding sorted window).
 */
import { butterworthHighPass, filtfilt } from './biquad.js';
import { checkRate, SignalError } from './errors.js';

export interface RemoveBaselineOptions {
  method?: 'highpass' | 'median';
  /** High-pass cut-off, Hz (default 0.5). */
  cutoff?: number;
}

export function removeBaseline(signal: ArrayLike<number>, fs: number, options: RemoveBaselineOptions = {}): Float64Array {
  checkRate(fs);
  const method = options.method ?? 'highpass';
  if (method === 'highpass') {
    const fc = options.cutoff ?? 0.5;
    return filtfilt(butterworthHighPass(fc, fs, 2), signal, Math.round((3 * fs) / fc));
  }
  if (method !== 'median') throw new SignalError(`unknown baseline method '${String(method)}' (use highpass or median)`);
  const n = signal.length;
  const x = new Float64Array(n);
  let last = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(signal[i])) { last = signal[i]; break; }
  for (let i = 0; i < n; i++) { const v = signal[i]; if (Number.isFinite(v)) last = v; x[i] = last; }
  const odd = (s: number): number => { const w = Math.max(1, Math.round(s * fs)); return w % 2 === 0 ? w + 1 : w; };
  const base = medianFilter(medianFilter(x, odd(0.2)), odd(0.6));
  for (let i = 0; i < n; i++) x[i] -= base[i];
  return x;
}

/** Running median over an odd window `w` centred on each sample, edges by repeating the end samples. */
export function medianFilter(x: Float64Array, w: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const h = (w - 1) >> 1;
  const win = new Float64Array(w);
  const at = (i: number): number => x[i < 0 ? 0 : i >= n ? n - 1 : i];
  for (let k = -h; k <= h; k++) win[k + h] = at(k);
  win.sort();
  for (let i = 0; i < n; i++) {
    out[i] = win[h];
    // slide: remove at(i - h), insert at(i + h + 1), keeping the window sorted
    const gone = at(i - h), added = at(i + h + 1);
    let p = lowerBound(win, gone);
    let q = lowerBound(win, added);
    if (q > p) { win.copyWithin(p, p + 1, q); q--; } else if (q < p) { win.copyWithin(q + 1, q, p); }
    win[q] = added;
  }
  return out;
}

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}
