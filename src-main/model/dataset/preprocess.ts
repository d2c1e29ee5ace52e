/**
 * Signal conditioning before beat windows are cut: resampling to the model's rate and baseline removal.
 * Baseline: two cascaded median filters of 200 ms and 600 ms whose output is subtracted from the signal —
 * the baseline-wander removal of de Chazal, O'Dwyer & Reilly, IEEE TBME 51(7):1196–1206 (2004).
 * Kept local to the model so that a trained model's preprocessing never changes underneath it.
 */

/**
 * Resample a signal from `fsIn` to `fsOut` by linear interpolation; when downsampling, a boxcar of the
 * decimation length is applied first as a cheap anti-alias low-pass (its first zero sits at `fsOut`, which for
 * 180 Hz still passes the QRS band, 5–40 Hz, with < 1 dB loss below 30 Hz).
 */
export function resampleLinear(x: Float32Array, fsIn: number, fsOut: number): Float32Array {
  if (fsIn === fsOut) return Float32Array.from(x);
  let src = x;
  const ratio = fsIn / fsOut;
  if (ratio > 1.5) {
    const w = Math.round(ratio);
    src = movingAverage(x, w);
  }
  const n = Math.max(1, Math.floor((x.length * fsOut) / fsIn));
  const out = new Float32Array(n);
  const last = src.length - 1;
  for (let i = 0; i < n; i++) {
    const t = i * ratio;
    const k = Math.floor(t);
    if (k >= last) { out[i] = src[last]; continue; }
    const f = t - k;
    out[i] = src[k] * (1 - f) + src[k + 1] * f;
  }
  return out;
}

/** Centred moving average of odd or even length `w` (edges use the available samples). */
export function movingAverage(x: Float32Array, w: number): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  const h0 = Math.floor((w - 1) / 2);
  const h1 = w - 1 - h0;
  const c = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) c[i + 1] = c[i] + x[i];
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - h0);
    const b = Math.min(n, i + h1 + 1);
    out[i] = (c[b] - c[a]) / (b - a);
  }
  return out;
}

/** Running median with an odd window of `w` samples (edges use a shrinking window), O(n·w) with a sorted buffer. */
export function medianFilter(x: Float32Array, w: number): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  const h = Math.max(0, Math.floor(w / 2));
  const sorted = new Float64Array(2 * h + 2); // one spare: a sample is added before the oldest is dropped
  let size = 0;
  const insert = (v: number): void => {
    let lo = 0;
    let hi = size;
    while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m] < v) lo = m + 1; else hi = m; }
    sorted.copyWithin(lo + 1, lo, size);
    sorted[lo] = v;
    size++;
  };
  const remove = (v: number): void => {
    let lo = 0;
    let hi = size;
    while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m] < v) lo = m + 1; else hi = m; }
    sorted.copyWithin(lo, lo + 1, size);
    size--;
  };
  for (let i = 0; i <= Math.min(h, n - 1); i++) insert(x[i]);
  for (let i = 0; i < n; i++) {
    out[i] = size % 2 ? sorted[size >> 1] : 0.5 * (sorted[(size >> 1) - 1] + sorted[size >> 1]);
    const add = i + h + 1;
    const drop = i - h;
    if (add < n) insert(x[add]);
    if (drop >= 0) remove(x[drop]);
  }
  return out;
}

/** Replace NaN (invalid samples) by the previous valid value (0 before the first one). */
export function fillInvalid(x: Float32Array): Float32Array {
  let prev = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) x[i] = prev;
    else prev = x[i];
  }
  return x;
}

/** Baseline removal (200 ms then 600 ms median, subtracted) at sampling rate `fs`; returns a new array. */
export function removeBaseline(x: Float32Array, fs: number): Float32Array {
  const odd = (s: number): number => { const w = Math.round(s * fs); return w % 2 ? w : w + 1; };
  const base = medianFilter(medianFilter(x, odd(0.2)), odd(0.6));
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] - base[i];
  return out;
}

/** The conditioned signal the model sees: invalid samples filled, resampled to `fs`, baseline removed. */
export function conditionSignal(physical: Float32Array, fsIn: number, fs: number): Float32Array {
  return removeBaseline(resampleLinear(fillInvalid(physical), fsIn, fs), fs);
}
