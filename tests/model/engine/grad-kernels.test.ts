/**
 * The wasm gradient kernels registered by initEngine agree with tfjs-backend-cpu's gradients (relative error
 * < 1e-4) over the shapes our beat CNNs use and a spread of others: 1-D convs as tfjs maps them ([N,1,W,C],
 * filter [1,k,Cin,Cout]), strides 1–3, same/valid padding, odd and even kernels, 1–64 channels, batch 1–256,
 * and a few true 2-D convs for the general path.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../../src-main/model/engine/tf.js';
import { initEngine } from '../../../src-main/model/engine/backend.js';
import { useWasmGradKernels, wasmGradKernelMode } from '../../../src-main/model/engine/wasm-grad-kernels.js';
import { on, relativeError, seeded } from './compare.js';

interface ConvCase { N: number; H: number; W: number; Cin: number; Cout: number; fh: number; fw: number; s: [number, number]; pad: 'same' | 'valid' }
const conv1d = (N: number, W: number, Cin: number, Cout: number, k: number, s: number, pad: 'same' | 'valid'): ConvCase =>
  ({ N, H: 1, W, Cin, Cout, fh: 1, fw: k, s: [1, s], pad });

const CASES: ConvCase[] = [
  conv1d(1, 37, 1, 8, 7, 1, 'same'),
  conv1d(256, 16, 4, 8, 5, 1, 'same'), // training batch size (kept short: the cpu reference is slow)
  conv1d(8, 24, 32, 64, 3, 1, 'same'),
  conv1d(40, 70, 3, 64, 5, 1, 'same'), // dW's contraction (N·OW = 2800) spans 3 chunks, the last partial
  conv1d(8, 64, 16, 32, 3, 1, 'valid'),
  conv1d(4, 50, 3, 5, 5, 2, 'same'),
  conv1d(2, 33, 64, 16, 5, 2, 'valid'),
  conv1d(3, 41, 4, 6, 7, 3, 'same'),
  conv1d(5, 20, 2, 3, 4, 1, 'same'), // even kernel: asymmetric 'same' padding
  conv1d(2, 31, 1, 1, 7, 2, 'valid'),
  { N: 2, H: 9, W: 11, Cin: 3, Cout: 4, fh: 3, fw: 5, s: [2, 1], pad: 'same' },
  { N: 3, H: 8, W: 10, Cin: 2, Cout: 5, fh: 3, fw: 3, s: [1, 2], pad: 'valid' },
];

function convGrads(c: ConvCase): () => tf.Tensor[] {
  const x = seeded(c.N * c.H * c.W * c.Cin, 11);
  const w = seeded(c.fh * c.fw * c.Cin * c.Cout, 12);
  return () => {
    const xt = tf.tensor4d(x, [c.N, c.H, c.W, c.Cin]);
    const wt = tf.tensor4d(w, [c.fh, c.fw, c.Cin, c.Cout]);
    const f = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor => tf.conv2d(a, b, c.s, c.pad);
    const y = f(xt, wt);
    const dy = tf.tensor(seeded(y.size, 13), y.shape);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor4D, b as tf.Tensor4D))([xt, wt], dy);
  };
}

describe('wasm convolution gradients match the cpu backend', () => {
  for (const c of CASES) {
    const name = `x[${c.N},${c.H},${c.W},${c.Cin}] ⋆ w[${c.fh},${c.fw},${c.Cin},${c.Cout}] stride ${c.s} ${c.pad}`;
    it(name, async () => {
      const ref = await on('cpu', convGrads(c));
      const got = await on('wasm', convGrads(c));
      expect(wasmGradKernelMode()).toBe('fast');
      expect(relativeError(got[0], ref[0]), 'dX').toBeLessThan(1e-4);
      expect(relativeError(got[1], ref[1]), 'dW').toBeLessThan(1e-4);
    });
  }

  it('conv1d through the op API (tfjs maps it to conv2d with height 1) has the same gradients', async () => {
    const x = seeded(16 * 90 * 3, 21);
    const w = seeded(7 * 3 * 8, 22);
    const f = () => {
      const xt = tf.tensor3d(x, [16, 90, 3]);
      const wt = tf.tensor3d(w, [7, 3, 8]);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 2, 'same').square().sum())([xt, wt]);
    };
    const ref = await on('cpu', f);
    const got = await on('wasm', f);
    expect(relativeError(got[0], ref[0])).toBeLessThan(1e-4);
    expect(relativeError(got[1], ref[1])).toBeLessThan(1e-4);
  });

  it('the plain-JS reference Conv2DBackpropFilter agrees too, and the stock wasm backend lacks it', async () => {
    await initEngine({ prefer: 'wasm' });
    const c = conv1d(6, 40, 5, 7, 5, 2, 'same');
    const ref = await on('cpu', convGrads(c));
    try {
      useWasmGradKernels('reference');
      const got = await on('wasm', convGrads(c));
      expect(relativeError(got[1], ref[1])).toBeLessThan(1e-4);
      expect(relativeError(got[0], ref[0])).toBeLessThan(1e-4);
      useWasmGradKernels('stock');
      await expect(on('wasm', convGrads(c))).rejects.toThrow(/Conv2DBackpropFilter/);
    } finally {
      useWasmGradKernels('fast');
    }
  });
});

describe('other wasm kernels on the training path match the cpu backend', () => {
  const pools: [number[], number, number, 'same' | 'valid'][] = [
    [[256, 1, 64, 8], 2, 2, 'valid'],
    [[5, 1, 67, 3], 2, 2, 'valid'], // odd width: the last input of each example is in no window
    [[4, 1, 33, 2], 2, 2, 'same'], // odd width, 'same': the last window is cut short
    [[3, 1, 45, 5], 3, 2, 'same'],
    [[2, 6, 7, 3], 2, 1, 'same'],
  ];
  // tfjs-layers' maxPooling1d pools [N,W,1,C] along the height axis.
  it('MaxPoolGrad along the height axis, as maxPooling1d runs it', async () => {
    const x = seeded(16 * 50 * 6, 33).map((v) => Math.round(v * 8) / 8);
    const f = () => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, [3, 1], [2, 1], 'same').mul(tf.scalar(0.7)).sum())(tf.tensor4d(x, [16, 50, 1, 6]));
    const ref = await on('cpu', f);
    const got = await on('wasm', f);
    expect(relativeError(got[0], ref[0])).toBe(0);
  });
  for (const [shape, size, stride, pad] of pools) {
    it(`MaxPoolGrad ${shape} pool ${size} stride ${stride} ${pad}, with ties`, async () => {
      // Quantised values make ties common: the gradient must go to the first maximum, as on cpu.
      const x = seeded(shape.reduce((a, b) => a * b), 31).map((v) => Math.round(v * 8) / 8);
      const f = () => {
        const xt = tf.tensor4d(x, shape as [number, number, number, number]);
        return tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, [1, size], [1, stride], pad).mul(tf.scalar(1.5)).sum())(xt);
      };
      const ref = await on('cpu', f);
      const got = await on('wasm', f);
      expect(relativeError(got[0], ref[0])).toBe(0);
    });
  }

  it('MaxPoolGrad of maxPooling1d({poolSize: 2}) on [N,W,1,C] (odd W), with ties', async () => {
    const x = seeded(6 * 31 * 4, 35).map((v) => Math.round(v * 8) / 8);
    const f = () => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, [2, 1], [2, 1], 'valid').mul(tf.scalar(0.3)).sum())(tf.tensor4d(x, [6, 31, 1, 4]));
    const ref = await on('cpu', f);
    const got = await on('wasm', f);
    expect(relativeError(got[0], ref[0])).toBe(0);
  });

  it('transposed matrix products (dense-layer gradients; batched ones keep the stock kernel)', async () => {
    const a = seeded(37 * 53, 61);
    const b = seeded(53 * 29, 62);
    const f = () => {
      const A = tf.tensor2d(a, [37, 53]);
      const B = tf.tensor2d(b, [53, 29]);
      const At = tf.tensor2d(a, [53, 37]);
      const Bt = tf.tensor2d(b, [29, 53]);
      const A3 = tf.tensor3d(a.subarray(0, 2 * 10 * 53), [2, 10, 53]);
      const B3 = tf.tensor3d(b.subarray(0, 2 * 53 * 7), [2, 7, 53]);
      return [
        tf.matMul(A, B), tf.matMul(A, Bt, false, true), tf.matMul(At, B, true, false), tf.matMul(At, Bt, true, true),
        tf.matMul(A3, B3, false, true), tf.matMul(tf.reshape(A, [1, 37, 53]), tf.reshape(Bt, [1, 29, 53]), false, true),
      ];
    };
    const ref = await on('cpu', f);
    const got = await on('wasm', f);
    for (let i = 0; i < ref.length; i++) expect(relativeError(got[i], ref[i]), `product #${i}`).toBeLessThan(1e-5);
  });

  it('transposed matrix products are bit-identical to the stock wasm kernel (so training reproduces old weights)', async () => {
    // K ≤ 48 is one block of the stock loop; K > 48 (e.g. a batch of 128 in dW = Xᵀ·dY) is summed block by block.
    const shapes: [number, number, number][] = [[128, 32, 240], [240, 128, 32], [59, 128, 32], [7, 49, 5], [16, 97, 3]];
    for (const [M, K, N] of shapes) {
      const a = seeded(M * K, 71 + M);
      const b = seeded(K * N, 72 + N);
      const f = () => [
        tf.matMul(tf.tensor2d(a, [M, K]), tf.tensor2d(b, [N, K]), false, true),
        tf.matMul(tf.tensor2d(a, [K, M]), tf.tensor2d(b, [K, N]), true, false),
        tf.matMul(tf.tensor2d(a, [K, M]), tf.tensor2d(b, [N, K]), true, true),
      ];
      let stock: Float32Array[];
      try {
        useWasmGradKernels('stock');
        stock = await on('wasm', f);
      } finally {
        useWasmGradKernels('fast');
      }
      const fast = await on('wasm', f);
      for (let i = 0; i < stock.length; i++) {
        expect(Buffer.from(fast[i].buffer).equals(Buffer.from(stock[i].buffer)), `M ${M} K ${K} N ${N} product #${i}`).toBe(true);
      }
    }
  });

  it('Sum over leading axes (bias gradients) and other axes', async () => {
    const x = seeded(64 * 30 * 7, 41);
    const f = () => {
      const t = tf.tensor3d(x, [64, 30, 7]);
      return [t.sum([0, 1]), t.sum(0, true), t.sum(2), t.sum([0, 2]), t.sum()];
    };
    const ref = await on('cpu', f);
    const got = await on('wasm', f);
    for (let i = 0; i < ref.length; i++) expect(relativeError(got[i], ref[i]), `sum #${i}`).toBeLessThan(1e-5);
  });

  it('depthwise conv gradients (missing from stock wasm) for 1-D and 2-D shapes', async () => {
    for (const [xs, fs, s, pad] of [
      [[4, 1, 60, 6], [1, 5, 6, 2], [1, 2], 'same'],
      [[2, 7, 9, 3], [3, 3, 3, 1], [1, 1], 'valid'],
    ] as [number[], number[], [number, number], 'same' | 'valid'][]) {
      const x = seeded(xs.reduce((a, b) => a * b), 51);
      const w = seeded(fs.reduce((a, b) => a * b), 52);
      const f = () => {
        const xt = tf.tensor4d(x, xs as [number, number, number, number]);
        const wt = tf.tensor4d(w, fs as [number, number, number, number]);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad).square().sum())([xt, wt]);
      };
      const ref = await on('cpu', f);
      const got = await on('wasm', f);
      expect(relativeError(got[0], ref[0]), `dX ${xs}`).toBeLessThan(1e-4);
      expect(relativeError(got[1], ref[1]), `dW ${xs}`).toBeLessThan(1e-4);
    }
  });

  it('Identity shares the data instead of copying it, and the values survive disposing the source', async () => {
    await initEngine({ prefer: 'wasm' });
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    expect(tf.engine().backend.refCount?.(a.dataId) ?? 2).toBe(2);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
  });
});
