/**
 * The lite runtime (src-main/model/lite) against TensorFlow.js on the wasm backend: the shipped students on every
 * labelled beat of MIT-BIH 100 and 208 (probabilities within 1e-4, identical argmax and decided labels), weights
 * decoded bit-identically to tfjs' own loading (uint8 included), every supported layer type on a synthetic model
 * (float32, float16, uint16 weights), and clear refusals of what it does not run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMetadata, windowOf } from '../../src-main/model/compress/evaluate.js';
import { artifactsOf, loadModelDir, readModelFiles, writeModelFiles } from '../../src-main/model/compress/model-files.js';
import { quantizeWeights } from '../../src-main/model/compress/quantize.js';
import { inputTensors } from '../../src-main/model/compress/tensors.js';
import { loadLabelledRecord } from '../../src-main/model/dataset/mitdb.js';
import { initEngine } from '../../src-main/model/engine/backend.js';
import { tf } from '../../src-main/model/engine/tf.js';
import { RESOURCES_MODELS_DIR } from '../../src-main/model/io.js';
import { classifyBeats } from '../../src-main/model/lite/classify-beat.js';
import { LiteModelError } from '../../src-main/model/lite/errors.js';
import { loadLiteModel } from '../../src-main/model/lite/load.js';
import { LiteModel } from '../../src-main/model/lite/model.js';
import { decodeWeights } from '../../src-main/model/lite/weights.js';
import { decide } from '../../src-main/model/train/train.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

const STUDENTS = ['student', 'student-int8', 'student-pruned'];
// The full `cnn` classifier uses only supported layers too (pooling, Flatten, Dropout): checked the same way.
const AGREE = [...STUDENTS, 'cnn'];
const RECORDS = ['100', '208'];

beforeAll(async () => { await initEngine({ prefer: 'wasm' }); });

function argmax(p: Float32Array, i: number, K: number): number {
  let b = 0;
  for (let k = 1; k < K; k++) if (p[i * K + k] > p[i * K + b]) b = k;
  return b;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describeMitdb('lite runtime vs tfjs-wasm on the shipped students (and cnn), every labelled beat of MIT-BIH 100 and 208', () => {
  for (const name of AGREE) {
    it(`${name}: probabilities within 1e-4, identical argmax and decided labels`, async () => {
      const dir = join(RESOURCES_MODELS_DIR, name);
      const { meta, card } = await readMetadata(dir);
      const model = await loadModelDir(dir);
      const lite = await loadLiteModel(dir);
      expect(lite.meta?.classes).toEqual(meta?.classes);
      const K = lite.outputSize;
      for (const r of RECORDS) {
        const beats = await loadLabelledRecord(mitdbRecord(r), { window: windowOf(meta, card) });
        const xs = inputTensors(beats, model);
        const y = model.predict(xs, { batchSize: beats.n }) as tf.Tensor;
        const want = y.dataSync() as Float32Array;
        tf.dispose([...xs, y]);
        const { probabilities: got, predicted: decided } = classifyBeats(lite, beats);
        expect(beats.n).toBeGreaterThan(2000);
        expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
        let argmaxDiffers = 0;
        for (let i = 0; i < beats.n; i++) if (argmax(got, i, K) !== argmax(want, i, K)) argmaxDiffers++;
        expect(argmaxDiffers).toBe(0);
        expect(Array.from(decided)).toEqual(Array.from(decide(want, meta!.decisionBias)));
        // the batch entry point is the same computation
        expect(lite.predictBatch([beats.x, beats.features], beats.n)).toEqual(got);
      }
      model.dispose();
    });
  }
});

describe('lite runtime weights', () => {
  it('decodes every shipped student\'s files to exactly the weights tfjs loads (uint8 via the manifest\'s scale/min, sparse via the reader)', async () => {
    const decoded: Record<string, Map<string, { values: Float32Array }>> = {};
    for (const name of STUDENTS) {
      const dir = join(RESOURCES_MODELS_DIR, name);
      const files = await readModelFiles(dir);
      const mine = decodeWeights(files.specs, files.weightData, dir);
      decoded[name] = mine;
      const model = await loadModelDir(dir);
      let n = 0;
      for (const layer of model.layers) {
        for (const w of layer.weights) {
          const key = `${layer.name}/${w.originalName.split('/').pop()}`;
          expect(Array.from(mine.get(key)!.values)).toEqual(Array.from(w.read().dataSync()));
          n++;
        }
      }
      expect(n).toBe(mine.size);
      model.dispose();
    }
    // the int8 student really runs its quantized weights: not the float ones, and on the uint8 grid
    const q = (await readModelFiles(join(RESOURCES_MODELS_DIR, 'student-int8'))).specs[0].quantization!;
    const k8 = decoded['student-int8'].get('conv1/kernel')!.values, k32 = decoded.student.get('conv1/kernel')!.values;
    expect(Array.from(k8)).not.toEqual(Array.from(k32));
    for (const v of k8) expect(Math.abs((v - q.min!) / q.scale! - Math.round((v - q.min!) / q.scale!))).toBeLessThan(1e-3);
  });
});

/** Every layer type and activation the runtime implements, in one functional model. */
function coverageModel(): tf.LayersModel {
  const a = tf.input({ shape: [40, 3], name: 'window' });
  const b = tf.input({ shape: [6], name: 'feats' });
  let x = tf.layers.conv1d({ filters: 5, kernelSize: 3, dilationRate: 2, padding: 'valid', activation: 'elu', name: 'c1' }).apply(a) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same', name: 'mp' }).apply(x) as tf.SymbolicTensor;
  const avg = tf.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same', name: 'ap' }).apply(x) as tf.SymbolicTensor;
  let y = tf.layers.conv1d({ filters: 6, kernelSize: 4, strides: 3, padding: 'same', activation: 'tanh', name: 'c2' }).apply(avg) as tf.SymbolicTensor;
  y = tf.layers.conv1d({ filters: 4, kernelSize: 1, useBias: false, activation: 'relu6', name: 'c3' }).apply(y) as tf.SymbolicTensor;
  const flat = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(tf.layers.flatten({ name: 'flat' }).apply(y)) as tf.SymbolicTensor;
  const z = tf.layers.concatenate({ name: 'cat' }).apply([
    tf.layers.dense({ units: 6, activation: 'selu', name: 'd0' }).apply(flat) as tf.SymbolicTensor,
    tf.layers.globalMaxPooling1d({ name: 'gmp' }).apply(x) as tf.SymbolicTensor,
    tf.layers.globalAveragePooling1d({ name: 'gap' }).apply(avg) as tf.SymbolicTensor,
    b,
  ]) as tf.SymbolicTensor;
  const s1 = tf.layers.dense({ units: 6, activation: 'sigmoid', name: 'd1' }).apply(z) as tf.SymbolicTensor;
  const s2 = tf.layers.dense({ units: 6, activation: 'softplus', name: 'd2' }).apply(z) as tf.SymbolicTensor;
  let h = tf.layers.activation({ activation: 'softsign', name: 'act' }).apply(tf.layers.add({ name: 'add' }).apply([s1, s2])) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [3, 2], name: 'rs' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 4, activation: 'hardSigmoid', name: 'd3' }).apply(h) as tf.SymbolicTensor; // dense over the last axis of [3, 4]
  h = tf.layers.batchNormalization({ center: false, name: 'bn2' }).apply(tf.layers.flatten({ name: 'flat2' }).apply(h)) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 5, activation: 'relu', name: 'd4' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: 'softmax', name: 'sm' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 4, name: 'out' }).apply(h) as tf.SymbolicTensor;
  const m = tf.model({ inputs: [a, b], outputs: out });
  // non-trivial normalisation statistics (fresh layers have mean 0, variance 1)
  for (const name of ['bn', 'bn2']) {
    const l = m.getLayer(name);
    l.setWeights(l.getWeights().map((w, i) => tf.randomUniform(w.shape, 0.2, 1.5, 'float32', 10 + i)));
  }
  return m;
}

describe('lite runtime on every supported layer', () => {
  const base = mkdtempSync(join(tmpdir(), 'ecg-lite-'));
  const xa = Float32Array.from({ length: 32 * 40 * 3 }, (_, i) => Math.sin(i * 0.37) * 2);
  const xb = Float32Array.from({ length: 32 * 6 }, (_, i) => Math.cos(i * 0.53));

  async function agree(dir: string): Promise<void> {
    const model = await loadModelDir(dir);
    const y = model.predict([tf.tensor3d(xa, [32, 40, 3]), tf.tensor2d(xb, [32, 6])]) as tf.Tensor;
    const want = y.dataSync() as Float32Array;
    const lite = await loadLiteModel(dir);
    expect(lite.inputs.map((i) => i.shape)).toEqual([[40, 3], [6]]);
    expect(maxAbsDiff(lite.predictBatch([xa, xb], 32), want)).toBeLessThan(1e-5);
    model.dispose();
  }

  it('a functional model with every layer type and activation, float32 and float16/uint16/uint8 weights', async () => {
    const a = await artifactsOf(coverageModel());
    await writeModelFiles(join(base, 'f32'), a);
    await agree(join(base, 'f32'));
    for (const q of ['float16', 'uint16', 'uint8'] as const) {
      const w = quantizeWeights(a.specs, a.weightData, q);
      await writeModelFiles(join(base, q), { modelTopology: a.modelTopology, specs: w.specs, weightData: w.weightData });
      await agree(join(base, q));
    }
  });

  it('a sequential model', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 7, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
    const dir = join(base, 'seq');
    await writeModelFiles(dir, await artifactsOf(m));
    const x = Float32Array.from({ length: 5 }, (_, i) => i - 2);
    const want = (m.predict(tf.tensor2d(x, [1, 5])) as tf.Tensor).dataSync() as Float32Array;
    expect(maxAbsDiff((await loadLiteModel(dir)).predict([x]), want)).toBeLessThan(1e-6);
  });
});

describe('lite runtime refusals', () => {
  it('refuses a custom layer it does not implement, naming the directory, layer and class', async () => {
    const dir = join(RESOURCES_MODELS_DIR, 'attention');
    const e = await loadLiteModel(dir).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LiteModelError);
    expect((e as Error).message).toContain(dir);
    expect((e as Error).message).toMatch(/layer '\w+' is a EcgAttentionPooling1D, which the lite runtime does not support/);
  });

  const src = (layers: object[], weights: { name: string; shape: number[] }[] = []) => ({
    dir: '/models/x',
    json: { modelTopology: { class_name: 'Model', config: { layers, input_layers: [['in', 0, 0]], output_layers: [[layers[layers.length - 1] && (layers[layers.length - 1] as { name: string }).name, 0, 0]] } } },
    specs: weights.map((w) => ({ ...w, dtype: 'float32' })),
    weightData: new Float32Array(weights.reduce((a, w) => a + w.shape.reduce((p, d) => p * d, 1), 0)).buffer,
  });
  const input = { name: 'in', class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32' }, inbound_nodes: [] };
  const dense = (cfg: object) => ({ name: 'd', class_name: 'Dense', config: { units: 2, ...cfg }, inbound_nodes: [[['in', 0, 0, {}]]] });
  const kernel = [{ name: 'd/kernel', shape: [4, 2] }, { name: 'd/bias', shape: [2] }];

  it.each([
    ['an unsupported activation', [input, dense({ activation: 'gelu' })], kernel, /activation 'gelu'/],
    ['a missing weight', [input, dense({})], kernel.slice(0, 1), /weight d\/bias .* is missing/],
    ['a weight of the wrong shape', [input, dense({})], [{ name: 'd/kernel', shape: [2, 4] }, kernel[1]], /d\/kernel has shape \[2,4\], the layer needs \[4,2\]/],
    ['a weight no layer uses', [input, dense({})], [...kernel, { name: 'other/kernel', shape: [3] }], /other\/kernel are not used/],
    ['an unsupported layer class', [input, { name: 'lstm', class_name: 'LSTM', config: {}, inbound_nodes: [[['in', 0, 0, {}]]] }], [], /layer 'lstm' is a LSTM/],
  ])('refuses %s', (_what, layers, weights, message) => {
    expect(() => LiteModel.fromFiles(src(layers, weights))).toThrow(LiteModelError);
    expect(() => LiteModel.fromFiles(src(layers, weights))).toThrow(message);
    expect(() => LiteModel.fromFiles(src(layers, weights))).toThrow('/models/x');
  });

  it('refuses inputs of the wrong size', () => {
    const m = LiteModel.fromFiles(src([input, dense({})], kernel));
    expect(m.predict([new Float32Array(4)])).toEqual(new Float32Array(2));
    expect(() => m.predict([new Float32Array(3)])).toThrow(/input in takes 4 values per example, got 3/);
  });
});
