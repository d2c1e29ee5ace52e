/**
 * The arithmetic of the lite runtime: plain loops over one example's Float32Arrays (channels last, row-major),
 * sums kept in float64 and stored as float32 per layer — as close to tfjs' float32 kernels as rounding allows.
 * No allocation: callers pass the output (and, where needed, a scratch accumulator).
 */

/**
 * y[yo + f] = bias[f] + Σ_{lo≤i<hi} x[xo + i] · wt[f·n + i] for every f < F (rows of wt are n long). Four
 * outputs at a time share each x load and keep four independent sums in flight (≈2× a one-output loop in V8);
 * each sum is still accumulated in order of i.
 */
function dots(x: Float32Array, xo: number, lo: number, hi: number, wt: Float32Array, n: number, F: number, bias: Float32Array | null, y: Float32Array, yo: number): void {
  let f = 0;
  for (; f + 4 <= F; f += 4) {
    const w0 = f * n, w1 = w0 + n, w2 = w1 + n, w3 = w2 + n;
    let a0 = bias ? bias[f] : 0, a1 = bias ? bias[f + 1] : 0, a2 = bias ? bias[f + 2] : 0, a3 = bias ? bias[f + 3] : 0;
    for (let i = lo; i < hi; i++) {
      const v = x[xo + i];
      a0 += v * wt[w0 + i];
      a1 += v * wt[w1 + i];
      a2 += v * wt[w2 + i];
      a3 += v * wt[w3 + i];
    }
    y[yo + f] = a0; y[yo + f + 1] = a1; y[yo + f + 2] = a2; y[yo + f + 3] = a3;
  }
  for (; f < F; f++) {
    const wo = f * n;
    let a = bias ? bias[f] : 0;
    for (let i = lo; i < hi; i++) a += x[xo + i] * wt[wo + i];
    y[yo + f] = a;
  }
}

/**
 * 1-D convolution with the kernel transposed at load to [F][k·C] (`wt`): without dilation an output's receptive
 * field is one contiguous run of the input, so each output value is one dot product over it.
 */
export function conv1d(
  x: Float32Array, T: number, C: number, wt: Float32Array, k: number, F: number,
  stride: number, dilation: number, padLeft: number, outT: number, bias: Float32Array | null, y: Float32Array,
): void {
  const kc = k * C;
  for (let t = 0; t < outT; t++) {
    const start = t * stride - padLeft;
    if (dilation === 1) {
      // taps outside the input are the zero padding: leave them out of the sum
      dots(x, start * C, Math.max(0, -start) * C, Math.min(k, T - start) * C, wt, kc, F, bias, y, t * F);
      continue;
    }
    for (let f = 0; f < F; f++) {
      const wo = f * kc;
      let a = bias ? bias[f] : 0;
      for (let j = 0; j < k; j++) {
        const ti = start + j * dilation;
        if (ti < 0 || ti >= T) continue;
        for (let c = 0; c < C; c++) a += x[ti * C + c] * wt[wo + j * C + c];
      }
      y[t * F + f] = a;
    }
  }
}

/** Dense over the last axis: `rows` rows of `n` inputs, kernel transposed at load to [units][n] (`wt`). */
export function dense(x: Float32Array, rows: number, n: number, wt: Float32Array, units: number, bias: Float32Array | null, y: Float32Array): void {
  for (let r = 0; r < rows; r++) dots(x, r * n, 0, n, wt, n, units, bias, y, r * units);
}

/** [rows][cols] → [cols][rows] (kernels stored input-major by tfjs, read output-major here). */
export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

/** Inference batch normalisation over the last axis, with `scale = γ / √(var + ε)` and `shift = β − mean · scale` folded at load. */
export function affineLastAxis(x: Float32Array, channels: number, scale: Float64Array, shift: Float64Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i += channels) for (let c = 0; c < channels; c++) y[i + c] = x[i + c] * scale[c] + shift[c];
}

/** Max or average pooling along time, windows of `size` every `stride`, `padLeft` virtual positions before (not counted). */
export function pool1d(x: Float32Array, T: number, C: number, size: number, stride: number, padLeft: number, outT: number, max: boolean, y: Float32Array): void {
  for (let t = 0; t < outT; t++) {
    const a = Math.max(0, t * stride - padLeft);
    const b = Math.min(T, t * stride - padLeft + size);
    for (let c = 0; c < C; c++) {
      let s = max ? -Infinity : 0;
      for (let i = a; i < b; i++) {
        const v = x[i * C + c];
        if (max) { if (v > s || Number.isNaN(v)) s = v; } else s += v;
      }
      y[t * C + c] = max ? s : s / (b - a);
    }
  }
}

/** Global max or mean over time: [T, C] → [C]. */
export function globalPool1d(x: Float32Array, T: number, C: number, max: boolean, y: Float32Array, acc: Float64Array): void {
  for (let c = 0; c < C; c++) acc[c] = max ? -Infinity : 0;
  for (let t = 0; t < T; t++) {
    const o = t * C;
    for (let c = 0; c < C; c++) {
      const v = x[o + c];
      if (max) { if (v > acc[c] || Number.isNaN(v)) acc[c] = v; } else acc[c] += v;
    }
  }
  for (let c = 0; c < C; c++) y[c] = max ? acc[c] : acc[c] / T;
}

/** Concatenation along the last axis of parts that share their leading shape (`rows` rows each). */
export function concatLast(parts: readonly Float32Array[], widths: readonly number[], rows: number, y: Float32Array): void {
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < parts.length; p++) {
      const src = parts[p], w = widths[p];
      for (let i = r * w, e = i + w; i < e; i++) y[o++] = src[i]; // a loop: subarray() allocates
    }
  }
}

export function add(a: Float32Array, b: Float32Array, y: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = a[i] + b[i];
}

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softplus', 'softsign', 'softmax'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function isActivation(s: unknown): s is Activation {
  return typeof s === 'string' && (ACTIVATIONS as readonly string[]).includes(s);
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** An activation in place; softmax over the last axis (`width` values per row), max subtracted first as tfjs does. */
export function activate(a: Activation, y: Float32Array, width: number): void {
  const n = y.length;
  switch (a) {
    case 'linear': return;
    case 'relu': for (let i = 0; i < n; i++) if (y[i] < 0) y[i] = 0; return;
    case 'relu6': for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(y[i], 0), 6); return;
    case 'elu': for (let i = 0; i < n; i++) { const v = y[i]; y[i] = v > 0 ? v : Math.expm1(v); } return;
    case 'selu': for (let i = 0; i < n; i++) { const v = y[i]; y[i] = SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)); } return;
    case 'sigmoid': for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-y[i])); return;
    case 'hard_sigmoid': for (let i = 0; i < n; i++) y[i] = Math.min(1, Math.max(0, 0.2 * y[i] + 0.5)); return;
    case 'tanh': for (let i = 0; i < n; i++) y[i] = Math.tanh(y[i]); return;
    case 'softplus': for (let i = 0; i < n; i++) { const v = y[i]; y[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); } return;
    case 'softsign': for (let i = 0; i < n; i++) y[i] = y[i] / (1 + Math.abs(y[i])); return;
    case 'softmax':
      for (let o = 0; o < n; o += width) {
        let m = -Infinity;
        for (let i = o; i < o + width; i++) if (y[i] > m) m = y[i];
        let s = 0;
        for (let i = o; i < o + width; i++) s += Math.exp(y[i] - m);
        for (let i = o; i < o + width; i++) y[i] = Math.exp(y[i] - m) / s;
      }
  }
}

/**
 * The classifiers' two-expert head (architectures/layers.ts `HierarchicalExperts`): P(N), P(S) are the
 * morphology expert's m_N + m_S split by the rhythm expert's r_N : r_S; the other classes are m's own.
 */
export function hierarchicalExperts(r: Float32Array, m: Float32Array, K: number, y: Float32Array): void {
  const sv = m[0] + m[1];
  const ns = Math.max(r[0] + r[1], 1e-12);
  y[0] = (r[0] / ns) * sv;
  y[1] = (r[1] / ns) * sv;
  for (let k = 2; k < K; k++) y[k] = m[k];
}
