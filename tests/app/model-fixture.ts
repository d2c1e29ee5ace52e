/**
 * A models directory holding one untrained CNN saved exactly as `ecg-review train` saves classifiers (model.json +
 * weights + model card). It exercises the app's path to the tfjs models (worker → model/io → model/classify)
 * independently of the trained models shipped in resources/models.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCnn } from '../../src-main/model/architectures/index.js';
import { FEATURE_COUNT, FEATURE_NAMES, MODEL_CLASSES } from '../../src-main/model/dataset/beats.js';
import { DEFAULT_WINDOW, WINDOW_CHANNELS, windowLength } from '../../src-main/model/dataset/windows.js';
import { initEngine } from '../../src-main/model/engine/backend.js';
import { tf } from '../../src-main/model/engine/tf.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, saveModel, type ModelMetadata } from '../../src-main/model/io.js';

export async function untrainedModelsDir(): Promise<{ modelsDir: string; id: string }> {
  await initEngine({ prefer: 'wasm' });
  const modelsDir = mkdtempSync(join(tmpdir(), 'ecg-review-models-'));
  const id = 'cnn-untrained';
  const model = buildCnn({ length: windowLength(DEFAULT_WINDOW), channels: WINDOW_CHANNELS.length, features: FEATURE_COUNT, classes: MODEL_CLASSES.length, seed: 1 });
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, arch: 'cnn', classes: [...MODEL_CLASSES], window: DEFAULT_WINDOW,
    channels: [...WINDOW_CHANNELS], features: [...FEATURE_NAMES], decisionBias: [0, 0, 0, 0], parameters: model.countParams(),
    seed: 1, trainedOn: 'nothing (test fixture)', backend: tf.getBackend(), createdAt: new Date().toISOString(),
  };
  await saveModel(model, join(modelsDir, id), metadata);
  writeFileSync(join(modelsDir, id, 'model-card.json'), JSON.stringify({ name: 'Untrained CNN (test fixture)', architecture: 'cnn', parameters: model.countParams(), metadata }));
  return { modelsDir, id };
}
