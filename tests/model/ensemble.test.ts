/** A seed ensemble merged into one LayersModel predicts the mean of its members and saves/loads like any model. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { buildModel } from '../../src-main/model/architectures/index.js';
import { FEATURE_COUNT, FEATURE_NAMES, MODEL_CLASSES } from '../../src-main/model/dataset/beats.js';
import { loadLabelledRecord } from '../../src-main/model/dataset/mitdb.js';
import { DEFAULT_WINDOW, WINDOW_CHANNELS } from '../../src-main/model/dataset/windows.js';
import { initEngine } from '../../src-main/model/engine/backend.js';
import { mergeEnsemble } from '../../src-main/model/ensemble.js';
import { ModelError } from '../../src-main/model/errors.js';
import { loadModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, saveModel } from '../../src-main/model/io.js';
import { predictProbs } from '../../src-main/model/train/train.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

describeMitdb('ensembles (of seeds or of architectures)', () => {
  it('merge members of any architecture into one model that outputs their mean, and round-trips through a directory', async () => {
    await initEngine({ prefer: 'wasm' });
    const beats = await loadLabelledRecord(mitdbRecord('119'), { window: DEFAULT_WINDOW });
    const dir = await mkdtemp(join(tmpdir(), 'ecg-ensemble-'));
    try {
      for (const arch of ['cnn', 'transformer'] as const) {
        const members = [1, 2, 3].map((seed) => buildModel(arch, { length: beats.length, channels: beats.channels, features: FEATURE_COUNT, classes: MODEL_CLASSES.length, seed }));
        const merged = await mergeEnsemble(members);
        const each = members.map((m) => predictProbs(m, beats));
        const mean = each[0].map((_, i) => each.reduce((a, p) => a + p[i], 0) / each.length);
        const got = predictProbs(merged, beats);
        expect(got.length).toBe(mean.length);
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - mean[i]));
        expect(worst).toBeLessThan(1e-6);
        expect(merged.countParams()).toBe(members.reduce((a, m) => a + m.countParams(), 0));
        await saveModel(merged, join(dir, arch), {
          format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, arch, classes: [...MODEL_CLASSES], window: DEFAULT_WINDOW, channels: [...WINDOW_CHANNELS],
          features: [...FEATURE_NAMES], decisionBias: [0, 0, 0, 0], parameters: merged.countParams(), seed: 1, trainedOn: 'test', backend: 'wasm', createdAt: new Date(0).toISOString(),
        });
        const loaded = await loadModel(join(dir, arch));
        expect(Array.from(predictProbs(loaded.model, beats))).toEqual(Array.from(got));
        for (const m of [...members, merged, loaded.model]) m.dispose();
      }
      // an ensemble of architectures (train --arch cnn,attention,transformer): same inputs, different graphs
      const mixed = (['cnn', 'attention', 'transformer'] as const).map((arch) => buildModel(arch, { length: beats.length, channels: beats.channels, features: FEATURE_COUNT, classes: MODEL_CLASSES.length, seed: 4 }));
      const merged = await mergeEnsemble(mixed, 'ensemble');
      const each = mixed.map((m) => predictProbs(m, beats));
      const got = predictProbs(merged, beats);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - (each[0][i] + each[1][i] + each[2][i]) / 3));
      expect(worst).toBeLessThan(1e-6);
      await saveModel(merged, join(dir, 'mixed'), {
        format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, arch: 'ensemble', members: [{ arch: 'cnn', seed: 4 }, { arch: 'attention', seed: 4 }, { arch: 'transformer', seed: 4 }],
        classes: [...MODEL_CLASSES], window: DEFAULT_WINDOW, channels: [...WINDOW_CHANNELS], features: [...FEATURE_NAMES], decisionBias: [0, 0, 0, 0],
        parameters: merged.countParams(), seed: 4, trainedOn: 'test', backend: 'wasm', createdAt: new Date(0).toISOString(),
      });
      const loaded = await loadModel(join(dir, 'mixed'));
      expect(loaded.meta.arch).toBe('ensemble');
      expect(Array.from(predictProbs(loaded.model, beats))).toEqual(Array.from(got));
      for (const m of [...mixed, merged, loaded.model]) m.dispose();
      await expect(mergeEnsemble([])).rejects.toThrow(ModelError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
