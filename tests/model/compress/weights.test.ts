/** Weight encodings: sparse bitmask container, uint8/float16 quantization as tfjs-core decodes it. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromFloat16Bits, toFloat16Bits } from '../../../src-main/model/compress/float16.js';
import type { WeightsManifestEntry } from '../../../src-main/model/compress/model-files.js';
import { affineRange, quantizeWeights } from '../../../src-main/model/compress/quantize.js';
import { decodeSparse, encodeSparse } from '../../../src-main/model/compress/sparse.js';
import { tf } from '../../../src-main/model/engine/tf.js';

function buffer(arrays: Float32Array[]): ArrayBuffer {
  const out = new Float32Array(arrays.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const a of arrays) { out.set(a, o); o += a.length; }
  return out.buffer;
}
const specOf = (name: string, n: number): WeightsManifestEntry => ({ name, shape: [n], dtype: 'float32' });
const sparseArray = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.float({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 })), { minLength: 0, maxLength: 300 }).map((a) => Float32Array.from(a));

describe('sparse weight encoding', () => {
  it('round-trips any float32 weights (−0 becomes +0) and is never larger than the dense buffer', () => {
    fc.assert(fc.property(fc.array(sparseArray, { minLength: 1, maxLength: 4 }), (arrays) => {
      const specs = arrays.map((a, i) => specOf(`w${i}`, a.length));
      const dense = buffer(arrays);
      const { data, tensors } = encodeSparse(specs, dense);
      expect(data.length).toBeLessThanOrEqual(dense.byteLength);
      const back = new Float32Array(decodeSparse(specs, tensors, data));
      const want = new Float32Array(dense).map((v) => (v === 0 ? 0 : v));
      expect(Array.from(back)).toEqual(Array.from(want));
      for (const v of back) expect(Object.is(v, -0)).toBe(false);
    }));
  });

  it('stores an 80 %-zero tensor in about 1/8 + 20 % of its dense bytes', () => {
    const w = new Float32Array(1000);
    for (let i = 0; i < 1000; i += 5) w[i] = i + 1;
    const { data, tensors } = encodeSparse([specOf('k', 1000)], w.buffer);
    expect(tensors[0]).toMatchObject({ encoding: 'bitmask', nonZero: 200 });
    expect(data.length).toBe(125 + 200 * 4);
  });

  it('treats the zero point of a uint8-quantized tensor as zero', () => {
    const w = Float32Array.from({ length: 400 }, (_, i) => (i % 10 === 0 ? (i % 20 ? 0.5 : -0.25) : 0));
    const q = quantizeWeights([specOf('k', 400)], w.buffer, 'uint8');
    const { data, tensors } = encodeSparse(q.specs, q.weightData);
    expect(tensors[0].nonZero).toBe(40);
    expect(data.length).toBe(50 + 40);
    expect(Array.from(new Uint8Array(decodeSparse(q.specs, tensors, data)))).toEqual(Array.from(new Uint8Array(q.weightData)));
  });
});

describe('quantization in the tfjs weight-manifest format', () => {
  it('uint8: tfjs-core decodes within half a step, zeros stay exact zeros, the range includes 0', () => {
    fc.assert(fc.property(sparseArray.filter((a) => a.length > 0), (w) => {
      const q = quantizeWeights([specOf('k', w.length)], buffer([w]), 'uint8');
      const spec = q.specs[0];
      expect(spec.quantization?.dtype).toBe('uint8');
      expect(q.weightData.byteLength).toBe(w.length);
      const decoded = tf.io.decodeWeights(q.weightData, q.specs).k.dataSync();
      const scale = spec.quantization!.scale!;
      for (let i = 0; i < w.length; i++) {
        if (w[i] === 0) expect(decoded[i]).toBe(0);
        expect(Math.abs(decoded[i] - w[i])).toBeLessThanOrEqual(scale / 2 + 1e-6 * Math.abs(w[i]) + 1e-7);
      }
    }));
  });

  it('affine range: zero point exact, as tfjs-converter nudges it', () => {
    const { scale, min } = affineRange(-0.3, 1.7, 255);
    const zp = Math.round(-min / scale);
    expect(zp * scale + min).toBe(0);
    expect(affineRange(0.5, 2, 255).min).toBe(0);
    expect(affineRange(-2, -0.5, 255).min).toBeCloseTo(-2, 12);
  });

  it('float16: encoder matches tfjs-core decoder; half-precision rounding error', () => {
    fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: -60000, max: 60000 }), (v) => {
      const h = toFloat16Bits(v);
      const back = fromFloat16Bits(h);
      const w = Float32Array.of(v);
      const q = quantizeWeights([specOf('k', 1)], w.buffer, 'float16');
      expect(tf.io.decodeWeights(q.weightData, q.specs).k.dataSync()[0]).toBe(Math.fround(back));
      if (Math.abs(v) > 6.2e-5) expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 * 1.0001);
      else expect(Math.abs(back - v)).toBeLessThanOrEqual(2 ** -25);
    }));
    expect(toFloat16Bits(65520)).toBe(0x7c00); // rounds to +Inf, as IEEE says
    expect(toFloat16Bits(1)).toBe(0x3c00);
  });

  it('refuses to quantize a tensor twice', () => {
    const q = quantizeWeights([specOf('k', 2)], Float32Array.of(1, 2).buffer, 'uint8');
    expect(() => quantizeWeights(q.specs, q.weightData, 'float16')).toThrow(/already quantized/);
  });
});
