import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openRecording } from '../../src-main/formats/index.js';
import { classifyRecording } from '../../src-main/model/classify.js';
import { concatBeatSets, FEATURE_NAMES, MODEL_CLASSES, subsetBeats, type BeatSet } from '../../src-main/model/dataset/beats.js';
import { loadLabelledRecord } from '../../src-main/model/dataset/mitdb.js';
import { DEFAULT_WINDOW, WINDOW_CHANNELS, windowChannels } from '../../src-main/model/dataset/windows.js';
import { describeEngine, initEngine } from '../../src-main/model/engine/backend.js';
import { ModelError } from '../../src-main/model/errors.js';
import { loadModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, saveModel, type ModelMetadata } from '../../src-main/model/io.js';
import { buildModel, EXPERT_OUTPUTS } from '../../src-main/model/architectures/index.js';
import { tf } from '../../src-main/model/engine/tf.js';
import { makeBatch, predictProbs, trainModel } from '../../src-main/model/train/train.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';
import { mulberry32 } from '../../src-main/evaluation/random.js';

let dir: string;
let small: BeatSet;

/** A few hundred beats of two records: 119 (ventricular bigeminy) and 209 (supraventricular ectopy). */
async function smallSet(): Promise<BeatSet> {
  const parts: BeatSet[] = [];
  for (const r of ['119', '209']) {
    const s = await loadLabelledRecord(mitdbRecord(r), { window: DEFAULT_WINDOW });
    parts.push(subsetBeats(s, Array.from({ length: 200 }, (_, i) => Math.floor((i * s.n) / 200))));
  }
  return concatBeatSets(parts);
}

function meta(arch: 'cnn' | 'attention' | 'transformer', parameters: number): ModelMetadata {
  return {
    format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, arch, classes: [...MODEL_CLASSES], window: DEFAULT_WINDOW,
    channels: [...WINDOW_CHANNELS], features: [...FEATURE_NAMES], decisionBias: [0, 0, 0, 0], parameters, seed: 7,
    trainedOn: 'test: 400 beats of 119 and 209', backend: describeEngine(), createdAt: new Date(0).toISOString(),
  };
}

describeMitdb('training a beat classifier (small, real)', () => {
  beforeAll(async () => {
    await initEngine({ prefer: 'wasm' });
    dir = await mkdtemp(join(tmpdir(), 'ecg-model-test-'));
    small = await smallSet();
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('loss falls over two epochs, and the same seed gives the same weights', async () => {
    const cfg = { arch: 'cnn' as const, epochs: 2, seed: 7, batchSize: 32, augment: false, patience: 0 };
    const a = await trainModel(small, null, cfg);
    expect(a.history).toHaveLength(2);
    expect(a.history[1].loss).toBeLessThan(a.history[0].loss);
    const b = await trainModel(small, null, cfg);
    const wa = a.model.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wb).toEqual(wa);
    await saveModel(a.model, join(dir, 'cnn'), meta('cnn', a.model.countParams()));
    const loaded = await loadModel(join(dir, 'cnn'));
    expect(Array.from(predictProbs(loaded.model, small))).toEqual(Array.from(predictProbs(a.model, small)));
    for (const m of [a.model, b.model, loaded.model]) m.dispose();
  });

  it('the output takes V and F from the morphology expert and splits its supraventricular mass by the rhythm expert', () => {
    const model = buildModel('cnn', { length: small.length, channels: small.channels, features: FEATURE_NAMES.length, classes: MODEL_CLASSES.length, seed: 3 });
    const net = tf.model({ inputs: model.inputs, outputs: [...EXPERT_OUTPUTS.map((n) => model.getLayer(n).output as tf.SymbolicTensor), model.outputs[0]] });
    const { beat, features } = makeBatch(small, Array.from({ length: 64 }, (_, i) => i * 6));
    const [r, m, p] = (net.predict([beat, features]) as tf.Tensor[]).map((t) => t.arraySync() as number[][]);
    for (let i = 0; i < p.length; i++) {
      expect(p[i].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p[i][2]).toBeCloseTo(m[i][2], 6);
      expect(p[i][3]).toBeCloseTo(m[i][3], 6);
      expect(p[i][0] + p[i][1]).toBeCloseTo(m[i][0] + m[i][1], 6);
      expect(p[i][1] / (p[i][0] + p[i][1])).toBeCloseTo(r[i][1] / (r[i][0] + r[i][1]), 5);
    }
    tf.dispose([beat, features]);
    model.dispose();
  });

  it('heart-rate augmentation (--rr-scale) scales a beat\'s RR intervals together, up to e^±scale, and leaves its ratios', () => {
    const idx = Array.from({ length: 200 }, (_, i) => i * 2);
    const rnd = mulberry32(5);
    const { beat, features } = makeBatch(small, idx, rnd, undefined, 0.5);
    const f = features.arraySync() as number[][];
    const factors = f.map((row, i) => row[0] / small.features[idx[i] * FEATURE_NAMES.length]);
    factors.forEach((k, i) => {
      // preRR, postRR, localRR and recordRR by the same factor; the ratios (pre/local …) as they were
      for (let q = 1; q < 4; q++) expect(f[i][q]).toBeCloseTo(small.features[idx[i] * FEATURE_NAMES.length + q] * k, 4);
      for (let q = 4; q < FEATURE_NAMES.length; q++) expect(f[i][q]).toBeCloseTo(small.features[idx[i] * FEATURE_NAMES.length + q], 5);
      expect(k).toBeGreaterThanOrEqual(Math.exp(-0.5) - 1e-6);
      expect(k).toBeLessThanOrEqual(Math.exp(0.5) + 1e-6);
    });
    // spread over the range, not the ±3 % jitter of the default
    expect(Math.max(...factors) / Math.min(...factors)).toBeGreaterThan(2);
    tf.dispose([beat, features]);
  });

  it('attention and transformer models train one epoch, save and reload to identical predictions', async () => {
    for (const arch of ['attention', 'transformer'] as const) {
      const r = await trainModel(subsetBeats(small, Array.from({ length: 128 }, (_, i) => i * 3)), null, { arch, epochs: 1, seed: 3, batchSize: 64, patience: 0 });
      expect(Number.isFinite(r.history[0].loss)).toBe(true);
      await saveModel(r.model, join(dir, arch), meta(arch, r.model.countParams()));
      const loaded = await loadModel(join(dir, arch));
      expect(loaded.meta.arch).toBe(arch);
      const probe = subsetBeats(small, [0, 1, 250, 399]);
      expect(Array.from(predictProbs(loaded.model, probe))).toEqual(Array.from(predictProbs(r.model, probe)));
      for (const m of [r.model, loaded.model]) m.dispose();
    }
  });

  it('classifies a record from its reference beat positions with the saved model', async () => {
    const loaded = await loadModel(join(dir, 'cnn'));
    const src = await openRecording(mitdbRecord('119'));
    const c = await classifyRecording(src, [loaded], { beats: 'atr' });
    await src.close();
    expect(c.lead).toBe('MLII');
    expect(c.positions).toBe('annotator:atr');
    expect(c.samples.length).toBeGreaterThan(1900);
    expect(c.probabilities.length).toBe(c.samples.length * 4);
    loaded.model.dispose();
  });

  it('damaged or mismatched model directories are ModelErrors that name the problem', async () => {
    const good = join(dir, 'cnn');
    const copy = async (name: string): Promise<string> => {
      const d = join(dir, name);
      await rm(d, { recursive: true, force: true });
      await (await import('node:fs/promises')).cp(good, d, { recursive: true });
      return d;
    };
    await expect(loadModel(join(dir, 'nope'))).rejects.toThrow(ModelError);
    const missing = await copy('missing');
    await rm(join(missing, 'weights.bin'));
    await expect(loadModel(missing)).rejects.toThrow(/weights file weights.bin named by model.json is missing/);
    const cut = await copy('truncated');
    await truncate(join(cut, 'weights.bin'), 100);
    await expect(loadModel(cut)).rejects.toThrow(/truncated or belongs to another model/);
    const garbled = await copy('garbled');
    await writeFile(join(garbled, 'model.json'), '{"modelTopology": ');
    await expect(loadModel(garbled)).rejects.toThrow(/not valid JSON/);
    for (const [name, edit, msg] of [
      ['other-length', (m: ModelMetadata) => { m.window = { fs: 250, before: 60, after: 100 }; }, /metadata says 160-sample windows .* at 250 Hz, but the network takes \[120, 1\]/],
      ['other-features', (m: ModelMetadata) => { m.features = m.features.slice(0, 3); }, /metadata lists 3 features but the network takes 11/],
      ['other-channels', (m: ModelMetadata) => { m.channels = ['beat']; }, /metadata names window channels \[beat\] but this program computes \[beat-minus-template\] for its window/],
    ] as const) {
      const d = await copy(name);
      const j = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
      edit(j.userDefinedMetadata.ecgReview);
      await writeFile(join(d, 'model.json'), JSON.stringify(j));
      await expect(loadModel(d)).rejects.toThrow(ModelError);
      await expect(loadModel(d)).rejects.toThrow(msg);
    }
  });

  it('a two-lead model trains, saves with both channels named, reloads to identical predictions and classifies a two-lead record only', async () => {
    const two = { ...DEFAULT_WINDOW, leads: 2 as const };
    const parts: BeatSet[] = [];
    for (const r of ['119', '209']) {
      const s = await loadLabelledRecord(mitdbRecord(r), { window: two });
      parts.push(subsetBeats(s, Array.from({ length: 100 }, (_, i) => Math.floor((i * s.n) / 100))));
    }
    const set2 = concatBeatSets(parts);
    expect(set2.channels).toBe(2);
    const r = await trainModel(set2, null, { arch: 'cnn', epochs: 2, seed: 7, batchSize: 32, patience: 0 });
    expect(r.history[1].loss).toBeLessThan(r.history[0].loss);
    const d = join(dir, 'cnn-2lead');
    await saveModel(r.model, d, { ...meta('cnn', r.model.countParams()), window: two, channels: [...windowChannels(two)] });
    const loaded = await loadModel(d);
    expect(loaded.model.inputs[0].shape).toEqual([null, 120, 2]);
    expect(Array.from(predictProbs(loaded.model, set2))).toEqual(Array.from(predictProbs(r.model, set2)));
    const src = await openRecording(mitdbRecord('119'));
    const c = await classifyRecording(src, [loaded], { beats: 'atr' });
    expect(c.lead).toBe('MLII+V1');
    expect(c.samples.length).toBeGreaterThan(1900);
    const oneLead = { ...src, info: { ...src.info, signals: [src.info.signals[0]] } };
    await expect(classifyRecording(oneLead, [loaded], { beats: 'atr' })).rejects.toThrow(/needs a second ECG lead, but the recording has only MLII/);
    await src.close();
    for (const m of [r.model, loaded.model]) m.dispose();
  });

  it('a record whose annotator has no beats is a ModelError', async () => {
    const loaded = await loadModel(join(dir, 'cnn'));
    const src = await openRecording(mitdbRecord('100'));
    const { writeWfdbAnnotationFile } = await import('../../src-main/formats/wfdb/index.js');
    const noBeats = join(dir, '100.rhythm');
    await writeWfdbAnnotationFile(noBeats, [{ sample: 10, symbol: '+', code: 28, subtype: 0, chan: 0, num: 0, aux: '(N' }]);
    await expect(classifyRecording(src, [loaded], { beats: noBeats })).rejects.toThrow(/has no beat annotations/);
    await src.close();
    loaded.model.dispose();
  });
});
