/**
 * Every gradient the product's architectures (src-main/model/architectures) need exists on wasm and matches
 * the cpu backend: one loss gradient per architecture, all trainable weights, relative error < 1e-4.
 * (Dropout is off — `training: false` — so both backends compute the same function.)
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../../src-main/model/engine/tf.js';
import { initEngine, type BackendPreference } from '../../../src-main/model/engine/backend.js';
import { ARCHITECTURES, buildModel, type Architecture } from '../../../src-main/model/architectures/index.js';
import { relativeError, seeded } from './compare.js';

const A = { length: 64, channels: 1, features: 6, classes: 5, seed: 3 };
const B = 8;

async function lossGrads(backend: BackendPreference, arch: Architecture): Promise<{ names: string[]; grads: Float32Array[] }> {
  await initEngine({ prefer: backend });
  const model = buildModel(arch, A);
  const beat = tf.tensor3d(seeded(B * A.length * A.channels, 71), [B, A.length, A.channels]);
  const feats = tf.tensor2d(seeded(B * A.features, 72), [B, A.features]);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), A.classes);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => {
    const out = model.apply([beat, feats], { training: false });
    const probs = (Array.isArray(out) ? out[0] : out) as tf.Tensor;
    return tf.metrics.categoricalCrossentropy(labels, probs).mean() as tf.Scalar;
  }, vars);
  const names = vars.map((v) => v.name);
  const values = names.map((n) => Float32Array.from(grads[n].dataSync()));
  tf.dispose([beat, feats, labels, ...Object.values(grads)]);
  model.dispose();
  return { names, grads: values };
}

describe('product architectures train on wasm with the same gradients as on cpu', () => {
  for (const arch of ARCHITECTURES) {
    it(arch, async () => {
      const ref = await lossGrads('cpu', arch);
      const got = await lossGrads('wasm', arch);
      expect(got.grads.length).toBe(ref.grads.length);
      expect(ref.grads.length).toBeGreaterThan(4);
      for (let i = 0; i < ref.grads.length; i++) {
        expect(relativeError(got.grads[i], ref.grads[i]), `${arch} ∂loss/∂${ref.names[i]}`).toBeLessThan(1e-4);
      }
    });
  }
});
