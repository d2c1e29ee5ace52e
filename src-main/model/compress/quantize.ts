/**
 * Post-training weight quantization, written in TensorFlow.js's own weight-manifest format so that
 * `tf.loadLayersModel` dequantizes on load (weights are stored small; arithmetic stays float32 at run time).
 *
 * uint8 / uint16: affine per tensor, as tfjs-converter's quantization.py does it — the range [min, max] is widened
 * to include 0 and min is nudged so that 0 is exactly representable (a pruned zero stays an exact zero, which the
 * sparse encoding relies on): scale = (max − min) / (2^bits − 1), zp = round(−min / scale), min' = −zp·scale,
 * q = round((clip(w, min', max') − min') / scale), w ≈ q·scale + min'.
 * float16: IEEE half precision, round to nearest even.
 */
import { toFloat16Bits } from './float16.js';
import type { Quantization, WeightsManifestEntry } from './model-files.js';

export interface QuantizedWeights {
  specs: WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

export function affineRange(min: number, max: number, levels: number): { scale: number; min: number } {
  min = Math.min(0, min);
  max = Math.max(0, max);
  if (min === max) return { scale: 1, min: 0 };
  const scale = (max - min) / levels;
  const zp = min > 0 ? 0 : max < 0 ? levels : Math.round(-min / scale);
  return { scale, min: -zp * scale };
}

/** Quantize every float32 tensor of a dense tfjs weight buffer; other dtypes are copied. */
export function quantizeWeights(specs: WeightsManifestEntry[], weightData: ArrayBuffer, dtype: Quantization): QuantizedWeights {
  const outSpecs: WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let off = 0;
  for (const spec of specs) {
    if (spec.quantization) throw new Error(`weight ${spec.name} is already quantized (${spec.quantization.dtype})`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype !== 'float32') {
      const bytes = spec.dtype === 'string' ? weightData.byteLength - off : size * 4;
      parts.push(new Uint8Array(weightData, off, bytes).slice());
      outSpecs.push(spec);
      off += bytes;
      continue;
    }
    const w = new Float32Array(weightData.slice(off, off + size * 4));
    off += size * 4;
    if (dtype === 'float16') {
      const q = new Uint16Array(size);
      for (let i = 0; i < size; i++) q[i] = toFloat16Bits(w[i]);
      parts.push(new Uint8Array(q.buffer));
      outSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
      continue;
    }
    const levels = dtype === 'uint8' ? 255 : 65535;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < size; i++) { if (w[i] < lo) lo = w[i]; if (w[i] > hi) hi = w[i]; }
    if (size === 0) { lo = 0; hi = 0; }
    const { scale, min } = affineRange(lo, hi, levels);
    const max = levels * scale + min;
    const q = dtype === 'uint8' ? new Uint8Array(size) : new Uint16Array(size);
    for (let i = 0; i < size; i++) q[i] = Math.round((Math.min(max, Math.max(min, w[i])) - min) / scale);
    parts.push(new Uint8Array(q.buffer));
    outSpecs.push({ ...spec, quantization: { dtype, scale, min } });
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { data.set(p, o); o += p.length; }
  return { specs: outSpecs, weightData: data.buffer };
}
