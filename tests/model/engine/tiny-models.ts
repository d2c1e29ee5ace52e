/**
 * Small models shaped like the product's beat classifiers, for engine tests and the engine bench. They live
 * with the tests (the real architectures are in src-main/model/), so the engine is exercised on the same
 * layer mix: conv1d + pooling + dense on a beat window, RR features concatenated before the dense head.
 */
import { tf } from '../../../src-main/model/engine/tf.js';

export const BEAT_LEN = 256;
export const RR_FEATURES = 4;
export const CLASSES = 5;

/** conv1d 16@7 → pool → conv1d 32@5 → pool → conv1d 64@3 → global pool → ⊕ RR(4) → dense 32 → dense 5. */
export function baselineCnn(seed = 1, beatLen = BEAT_LEN): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  const beat = tf.input({ shape: [beatLen, 1], name: 'beat' });
  const rr = tf.input({ shape: [RR_FEATURES], name: 'rr' });
  let h = tf.layers.conv1d({ filters: 16, kernelSize: 7, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(beat) as tf.SymbolicTensor;
  h = tf.layers.maxPooling1d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv1d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling1d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv1d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(3) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling1d().apply(h) as tf.SymbolicTensor;
  h = tf.layers.concatenate().apply([h, rr]) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(4) }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: init(5) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: [beat, rr], outputs: out });
}

/** Deterministic pseudo-beats (sum of Gaussians whose position depends on the class) and one-hot labels. */
export function syntheticBatch(n: number, seed = 7, beatLen = BEAT_LEN): { beats: Float32Array; rr: Float32Array; labels: Int32Array } {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const beats = new Float32Array(n * beatLen);
  const rr = new Float32Array(n * RR_FEATURES);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * CLASSES);
    labels[i] = c;
    const centre = beatLen * (0.3 + 0.1 * c);
    const width = 4 + 3 * c;
    for (let t = 0; t < beatLen; t++) {
      beats[i * beatLen + t] = Math.exp(-(((t - centre) / width) ** 2)) + 0.05 * (rand() - 0.5);
    }
    for (let f = 0; f < RR_FEATURES; f++) rr[i * RR_FEATURES + f] = 0.8 + 0.1 * c + 0.05 * rand();
  }
  return { beats, rr, labels };
}

export function batchTensors(b: { beats: Float32Array; rr: Float32Array; labels: Int32Array }, beatLen = BEAT_LEN): { xs: tf.Tensor[]; ys: tf.Tensor } {
  const n = b.labels.length;
  return {
    xs: [tf.tensor3d(b.beats, [n, beatLen, 1]), tf.tensor2d(b.rr, [n, RR_FEATURES])],
    ys: tf.oneHot(tf.tensor1d(b.labels, 'int32'), CLASSES),
  };
}
