/**
 * A compact encoding of a TensorFlow.js weight buffer whose tensors are mostly zeros (pruned models).
 *
 * It is a container transform over the ordinary weight buffer, so it composes with quantization: each tensor's
 * elements (4 bytes for float32, 2 for float16, 1 for uint8) are classified as zero — the element decodes to
 * exactly 0 (±0.0, or the uint8 zero point of an affine-quantized tensor) — or not; a tensor that is sparse
 * enough to gain is stored as a bitmask (one bit per element, LSB first) followed by the bytes of its non-zero
 * elements; any other tensor is copied as it is. Decoding rebuilds the exact dense buffer (with +0 for -0), which
 * `tf.loadLayersModel` then decodes as usual. Generic TensorFlow.js runtimes do not know this encoding: they need
 * the expanded (dense) form, which `writeModelFiles(…, { sparse: false })` / `ecg-review compress --expand` write.
 */
import type { WeightsManifestEntry } from './model-files.js';

export interface SparseTensorInfo {
  name: string;
  encoding: 'dense' | 'bitmask';
  /** Elements and how many are non-zero. */
  size: number;
  nonZero: number;
}

export const SPARSE_ENCODING = 'ecg-review-bitmask-v1';

function elementBytes(spec: WeightsManifestEntry): number {
  const q = spec.quantization?.dtype;
  if (q === 'uint8') return 1;
  if (q === 'uint16' || q === 'float16') return 2;
  if (spec.dtype === 'string') throw new Error(`weight ${spec.name}: string weights cannot be sparse-encoded`);
  return 4;
}

/** The element value that means 0, as bytes, for one tensor; null when 0 is not exactly representable. */
function zeroPattern(spec: WeightsManifestEntry): Uint8Array | null {
  const q = spec.quantization;
  const eb = elementBytes(spec);
  if (!q || q.dtype === 'float16') return new Uint8Array(eb); // +0.0
  const scale = q.scale ?? 1, min = q.min ?? 0;
  const zp = Math.round(-min / scale);
  if (zp < 0 || zp >= 2 ** (8 * eb) || zp * scale + min !== 0) return null;
  const out = new Uint8Array(eb);
  for (let i = 0; i < eb; i++) out[i] = (zp >> (8 * i)) & 0xff;
  return out;
}

function isZero(bytes: Uint8Array, at: number, eb: number, zero: Uint8Array, spec: WeightsManifestEntry): boolean {
  if (!spec.quantization && eb === 4) {
    // ±0.0 — the -0 a mask multiplication leaves behind counts as zero.
    return bytes[at] === 0 && bytes[at + 1] === 0 && bytes[at + 2] === 0 && (bytes[at + 3] & 0x7f) === 0;
  }
  if (spec.quantization?.dtype === 'float16') return bytes[at] === 0 && (bytes[at + 1] & 0x7f) === 0;
  for (let i = 0; i < eb; i++) if (bytes[at + i] !== zero[i]) return false;
  return true;
}

export function encodeSparse(specs: WeightsManifestEntry[], dense: ArrayBuffer): { data: Uint8Array; tensors: SparseTensorInfo[] } {
  const src = new Uint8Array(dense);
  const parts: Uint8Array[] = [];
  const tensors: SparseTensorInfo[] = [];
  let off = 0;
  for (const spec of specs) {
    const eb = elementBytes(spec);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = src.subarray(off, off + size * eb);
    off += size * eb;
    const zero = zeroPattern(spec);
    let nonZero = size;
    if (zero) {
      nonZero = 0;
      for (let i = 0; i < size; i++) if (!isZero(bytes, i * eb, eb, zero, spec)) nonZero++;
    }
    const maskBytes = Math.ceil(size / 8);
    if (!zero || maskBytes + nonZero * eb >= size * eb) {
      parts.push(bytes.slice());
      tensors.push({ name: spec.name, encoding: 'dense', size, nonZero });
      continue;
    }
    const out = new Uint8Array(maskBytes + nonZero * eb);
    let v = maskBytes;
    for (let i = 0; i < size; i++) {
      if (isZero(bytes, i * eb, eb, zero, spec)) continue;
      out[i >> 3] |= 1 << (i & 7);
      out.set(bytes.subarray(i * eb, i * eb + eb), v);
      v += eb;
    }
    parts.push(out);
    tensors.push({ name: spec.name, encoding: 'bitmask', size, nonZero });
  }
  if (off !== src.length) throw new Error(`weight buffer holds ${src.length} bytes but the manifest describes ${off}`);
  const total = parts.reduce((a, p) => a + p.length, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { data.set(p, o); o += p.length; }
  return { data, tensors };
}

export function decodeSparse(specs: WeightsManifestEntry[], tensors: SparseTensorInfo[], data: Uint8Array): ArrayBuffer {
  if (tensors.length !== specs.length) throw new Error(`sparse index lists ${tensors.length} tensors, the manifest ${specs.length}`);
  const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1) * elementBytes(s));
  const dense = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let inOff = 0, outOff = 0;
  specs.forEach((spec, k) => {
    const t = tensors[k];
    const eb = elementBytes(spec);
    if (t.name !== spec.name) throw new Error(`sparse index entry ${k} is ${t.name}, the manifest says ${spec.name}`);
    if (t.encoding === 'dense') {
      dense.set(data.subarray(inOff, inOff + sizes[k]), outOff);
      inOff += sizes[k];
    } else {
      const zero = zeroPattern(spec)!;
      const maskBytes = Math.ceil(t.size / 8);
      const mask = data.subarray(inOff, inOff + maskBytes);
      let v = inOff + maskBytes;
      for (let i = 0; i < t.size; i++) {
        const at = outOff + i * eb;
        if (mask[i >> 3] & (1 << (i & 7))) { dense.set(data.subarray(v, v + eb), at); v += eb; }
        else dense.set(zero, at);
      }
      if (v - inOff - maskBytes !== t.nonZero * eb) throw new Error(`weight ${t.name}: bitmask has ${(v - inOff - maskBytes) / eb} set bits, index says ${t.nonZero}`);
      inOff = v;
    }
    outOff += sizes[k];
  });
  if (inOff !== data.length) throw new Error(`sparse weight file holds ${data.length} bytes, the index describes ${inOff}`);
  return dense.buffer;
}
