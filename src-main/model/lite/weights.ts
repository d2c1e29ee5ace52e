/**
 * The weights of a tfjs layers-model manifest as Float32Arrays, decoded exactly as tfjs-core's `decodeWeights`
 * does: float32 as stored, uint8/uint16 affine (`v · scale + min`, rounded to float32), float16 widened exactly.
 * So a quantized model runs with the very numbers tfjs loads from the same files.
 */
import { fromFloat16Bits } from '../compress/float16.js';
import { LiteModelError } from './errors.js';

/** One entry of a tfjs weights manifest (the subset this reader needs). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

export interface DecodedWeight {
  shape: number[];
  values: Float32Array;
}

const BYTES: Record<string, number> = { float32: 4, uint8: 1, uint16: 2, float16: 2 };

export function decodeWeights(specs: readonly WeightSpec[], data: ArrayBuffer, dir: string): Map<string, DecodedWeight> {
  const out = new Map<string, DecodedWeight>();
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'float32') throw new LiteModelError(`weight ${spec.name} has dtype ${spec.dtype}; the lite runtime runs float32 weights only`, dir);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const stored = spec.quantization?.dtype ?? 'float32';
    const eb = BYTES[stored];
    if (!eb) throw new LiteModelError(`weight ${spec.name} has unknown quantization ${stored}`, dir);
    const end = offset + size * eb;
    if (end > data.byteLength) throw new LiteModelError(`weight data ends at byte ${data.byteLength}, before ${spec.name} (needs ${end})`, dir);
    // A copy, so the typed-array views below are aligned whatever the offset.
    const bytes = data.slice(offset, end);
    offset = end;
    let values: Float32Array;
    if (stored === 'float32') values = new Float32Array(bytes);
    else if (stored === 'float16') values = Float32Array.from(new Uint16Array(bytes), fromFloat16Bits);
    else {
      const q = spec.quantization!;
      if (typeof q.scale !== 'number' || typeof q.min !== 'number') throw new LiteModelError(`weight ${spec.name} is ${stored}-quantized without scale and min`, dir);
      const raw = stored === 'uint8' ? new Uint8Array(bytes) : new Uint16Array(bytes);
      values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = raw[i] * q.scale + q.min; // tfjs' formula, same float32 rounding
    }
    out.set(spec.name, { shape: [...spec.shape], values });
  }
  if (offset !== data.byteLength) throw new LiteModelError(`weight data has ${data.byteLength - offset} bytes more than the manifest describes`, dir);
  return out;
}
