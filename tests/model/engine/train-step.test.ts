/**
 * One training step of tiny models with the layer mix the product's architectures use gives the same update
 * on the wasm backend (with our gradient kernels) as on the cpu backend: conv1d + pooling + dense with RR
 * features concatenated; a multi-head self-attention block built from batched matmuls with layer norm and
 * GELU (erf); batch norm + average pooling. Also: two identical seeded trainings on wasm give bitwise-equal
 * weights (see engine/README.md, "Deterministic training").
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../../src-main/model/engine/tf.js';
import { initEngine, type BackendPreference } from '../../../src-main/model/engine/backend.js';
import { baselineCnn, batchTensors, syntheticBatch, CLASSES } from './tiny-models.js';
import { relativeError, seeded } from './compare.js';

const LEN = 64;

/** Weights after one SGD step of `build()`'s model, starting from `init` (same numbers on every backend). */
async function stepLayers(backend: BackendPreference, build: () => tf.LayersModel, init: Float32Array[] | undefined, batch: number): Promise<{ before: Float32Array[]; after: Float32Array[] }> {
  await initEngine({ prefer: backend });
  const model = build();
  if (init) model.setWeights(init.map((v, i) => tf.tensor(v, model.getWeights()[i].shape)));
  const before = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
  const { xs, ys } = batchTensors(syntheticBatch(batch, 3, LEN), LEN);
  await model.trainOnBatch(xs, ys);
  const after = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  tf.dispose([...xs, ys]);
  model.dispose();
  return { before, after };
}

function updates(r: { before: Float32Array[]; after: Float32Array[] }): Float32Array[] {
  return r.after.map((a, i) => a.map((v, j) => v - r.before[i][j]));
}

function bnPoolModel(): tf.LayersModel {
  const beat = tf.input({ shape: [LEN, 1] });
  const rr = tf.input({ shape: [4] });
  // No bias before batch norm: its true gradient is 0 and the compared updates would be rounding noise.
  let h = tf.layers.conv1d({ filters: 8, kernelSize: 5, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: 5 }) }).apply(beat) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: 'elu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.averagePooling1d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv1d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'tanh', kernelInitializer: tf.initializers.heNormal({ seed: 6 }) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.layerNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalMaxPooling1d().apply(h) as tf.SymbolicTensor;
  h = tf.layers.concatenate().apply([h, rr]) as tf.SymbolicTensor;
  h = tf.layers.dropout({ rate: 0 }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: [beat, rr], outputs: out });
}

/** Gradients of a 2-head self-attention block (batched matmul, softmax, layer norm, GELU via erf). */
function attentionGrads(): tf.Tensor[] {
  const B = 6, T = 16, D = 8, H = 2, dh = D / H;
  const v = (shape: number[], seed: number): tf.Variable => tf.variable(tf.tensor(seeded(shape.reduce((a, b) => a * b), seed), shape));
  const Wq = v([D, D], 61), Wk = v([D, D], 62), Wv = v([D, D], 63), Wo = v([D, CLASSES], 64);
  const gamma = v([D], 65), beta = v([D], 66);
  const x = tf.tensor3d(seeded(B * T * D, 67), [B, T, D]);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), CLASSES);
  const heads = (t: tf.Tensor2D): tf.Tensor3D => t.reshape([B, T, H, dh]).transpose([0, 2, 1, 3]).reshape([B * H, T, dh]);
  const { grads } = tf.variableGrads(() => {
    const x2 = x.reshape([B * T, D]) as tf.Tensor2D;
    const q = heads(tf.matMul(x2, Wq)), k = heads(tf.matMul(x2, Wk)), val = heads(tf.matMul(x2, Wv));
    const att = tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(dh)));
    const o = tf.matMul(att, val).reshape([B, H, T, dh]).transpose([0, 2, 1, 3]).reshape([B * T, D]).add(x2);
    const { mean, variance } = tf.moments(o, -1, true);
    const ln = o.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).mul(gamma).add(beta);
    const gelu = ln.mul(0.5).mul(tf.erf(ln.div(Math.SQRT2)).add(1));
    const pooled = gelu.reshape([B, T, D]).mean(1) as tf.Tensor2D;
    return tf.losses.softmaxCrossEntropy(labels, tf.matMul(pooled, Wo)) as tf.Scalar;
  }, [Wq, Wk, Wv, Wo, gamma, beta]);
  const out = [Wq, Wk, Wv, Wo, gamma, beta].map((w) => grads[w.name]);
  tf.dispose([Wq, Wk, Wv, Wo, gamma, beta]);
  return out;
}

describe('one training step: wasm (our kernels) vs cpu', () => {
  it('baseline 1-D CNN (conv1d, max pooling, global average pooling, RR concat, dense)', async () => {
    const cpu = await stepLayers('cpu', () => baselineCnn(1, LEN), undefined, 16);
    const wasm = await stepLayers('wasm', () => baselineCnn(1, LEN), cpu.before, 16);
    const du = updates(wasm), ref = updates(cpu);
    expect(du.length).toBe(10);
    for (let i = 0; i < ref.length; i++) {
      expect(Math.max(...ref[i].map(Math.abs)), `weight #${i} moved`).toBeGreaterThan(0);
      expect(relativeError(du[i], ref[i]), `update of weight #${i}`).toBeLessThan(1e-4);
    }
  });

  it('batch norm, ELU, average pooling, strided valid conv, tanh, layer norm, global max pooling', async () => {
    const cpu = await stepLayers('cpu', bnPoolModel, undefined, 24);
    const wasm = await stepLayers('wasm', bnPoolModel, cpu.before, 24);
    const du = updates(wasm), ref = updates(cpu);
    for (let i = 0; i < ref.length; i++) {
      if (Math.max(...ref[i].map(Math.abs)) === 0) continue; // moving statistics of batch norm are not trained
      expect(relativeError(du[i], ref[i]), `update of weight #${i}`).toBeLessThan(1e-4);
    }
  });

  it('multi-head self-attention with layer norm and GELU', async () => {
    await initEngine({ prefer: 'cpu' });
    const ref = tf.tidy(attentionGrads).map((t) => Float32Array.from(t.dataSync()));
    await initEngine({ prefer: 'wasm' });
    const got = tf.tidy(attentionGrads).map((t) => Float32Array.from(t.dataSync()));
    for (let i = 0; i < ref.length; i++) expect(relativeError(got[i], ref[i]), `grad #${i}`).toBeLessThan(1e-4);
  });
});

describe('deterministic training on wasm', () => {
  async function train(): Promise<Float32Array[]> {
    await initEngine({ prefer: 'wasm' });
    const model = baselineCnn(42, LEN);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const data = syntheticBatch(96, 9, LEN);
    const { xs, ys } = batchTensors(data, LEN);
    // shuffle: false — tfjs would shuffle with Math.random otherwise.
    await model.fit(xs, ys, { batchSize: 32, epochs: 2, shuffle: false, verbose: 0 });
    const w = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
    tf.dispose([...xs, ys]);
    model.dispose();
    return w;
  }

  it('two identical seeded trainings give bitwise-identical weights', async () => {
    const a = await train();
    const b = await train();
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) {
      expect(Buffer.from(a[i].buffer).equals(Buffer.from(b[i].buffer)), `weight #${i}`).toBe(true);
    }
    // …and training did change them.
    const fresh = (await (async () => { await initEngine({ prefer: 'wasm' }); const m = baselineCnn(42, LEN); const w = m.getWeights().map((t) => Float32Array.from(t.dataSync())); m.dispose(); return w; })());
    expect(Buffer.from(fresh[0].buffer).equals(Buffer.from(a[0].buffer))).toBe(false);
  });
});
