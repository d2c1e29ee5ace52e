/**
 * fastAdam (fused per-variable update on wasm) gives bit-identical weights to tfjs' own Adam, step after step,
 * and keeps AdamOptimizer's state (β powers, moments) in the same form.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../../src-main/model/engine/tf.js';
import { initEngine } from '../../../src-main/model/engine/backend.js';
import { fastAdam } from '../../../src-main/model/engine/adam.js';
import { baselineCnn, batchTensors, syntheticBatch } from './tiny-models.js';

const LEN = 64;

async function train(make: () => tf.Optimizer, steps: number): Promise<{ weights: Float32Array[]; state: Float32Array[] }> {
  await initEngine({ prefer: 'wasm' });
  const model = baselineCnn(3, LEN);
  const opt = make();
  const { xs, ys } = batchTensors(syntheticBatch(32, 5, LEN), LEN);
  for (let s = 0; s < steps; s++) {
    opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar);
  }
  const weights = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
  const state = (await opt.getWeights()).slice(1).map((w) => Float32Array.from(w.tensor.dataSync()));
  tf.dispose([...xs, ys]);
  opt.dispose();
  model.dispose();
  return { weights, state };
}

const same = (a: Float32Array, b: Float32Array): boolean => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

describe('fastAdam on wasm', () => {
  it('is bit-identical to tf.train.adam over several steps (weights and moments)', async () => {
    const ref = await train(() => tf.train.adam(2e-3), 6);
    const got = await train(() => fastAdam(2e-3), 6);
    expect(got.weights.length).toBe(ref.weights.length);
    for (let i = 0; i < ref.weights.length; i++) expect(same(got.weights[i], ref.weights[i]), `weight #${i}`).toBe(true);
    expect(got.state.length).toBe(ref.state.length);
    for (let i = 0; i < ref.state.length; i++) expect(same(got.state[i], ref.state[i]), `moment #${i}`).toBe(true);
  });

  it('non-default β and ε, and training moved the weights', async () => {
    const ref = await train(() => tf.train.adam(1e-2, 0.8, 0.99, 1e-4), 4);
    const got = await train(() => fastAdam(1e-2, 0.8, 0.99, 1e-4), 4);
    for (let i = 0; i < ref.weights.length; i++) expect(same(got.weights[i], ref.weights[i]), `weight #${i}`).toBe(true);
    const init = await train(() => fastAdam(1e-2), 0);
    expect(same(init.weights[0], got.weights[0])).toBe(false);
  });

  it('falls back to tfjs\' update on the cpu backend', async () => {
    await initEngine({ prefer: 'cpu' });
    const v = tf.variable(tf.tensor1d([1, -2, 3]));
    const opt = fastAdam(0.1);
    opt.minimize(() => tf.sum(tf.square(v)) as tf.Scalar);
    expect(Array.from(v.dataSync()).map((x) => +x.toFixed(4))).toEqual([0.9, -1.9, 2.9]);
    opt.dispose();
    v.dispose();
  });
});
