/**
 * A small trained model on real MIT-BIH beats for the compression tests: a few hundred labelled beats of two
 * DS1 records (119: N and V, 209: N and S), the tiny student architecture shaped like the classifiers
 * (beat window + features → N/S/V/F), trained for a few epochs.
 */
import { mkdtempSync } from 'node:fs';
import type { CliIo } from '../../../src-main/cli/command.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCnn } from '../../../src-main/model/architectures/index.js';
import { concatBeatSets, subsetBeats, type BeatSet } from '../../../src-main/model/dataset/beats.js';
import { loadLabelledRecord } from '../../../src-main/model/dataset/mitdb.js';
import { DEFAULT_WINDOW } from '../../../src-main/model/dataset/windows.js';
import { balancedClassWeights, fitLogits, logitsView } from '../../../src-main/model/compress/fit.js';
import { FEATURE_COUNT, FEATURE_NAMES, MODEL_CLASSES } from '../../../src-main/model/dataset/beats.js';
import { WINDOW_CHANNELS } from '../../../src-main/model/dataset/windows.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, saveModel } from '../../../src-main/model/io.js';
import { trainingSetOf } from '../../../src-main/model/compress/tensors.js';
import { initEngine } from '../../../src-main/model/engine/backend.js';
import { tf } from '../../../src-main/model/engine/tf.js';
import { mitdbRecord } from '../../helpers/data.js';

export const FIXTURE_RECORDS = ['119', '209'];

/** Every k-th labelled beat of each record, up to `max` per record. */
export async function fixtureBeats(records = FIXTURE_RECORDS, max = 300): Promise<BeatSet> {
  const sets: BeatSet[] = [];
  for (const r of records) {
    const s = await loadLabelledRecord(mitdbRecord(r), { window: DEFAULT_WINDOW });
    const step = Math.max(1, Math.floor(s.n / max));
    const idx = Array.from({ length: Math.min(max, Math.floor(s.n / step)) }, (_, i) => i * step);
    sets.push(subsetBeats(s, idx));
  }
  return concatBeatSets(sets);
}

/** The classifiers' CNN (~12 k parameters), trained on the fixture beats, saved as a model directory with a card. */
export async function fixtureModelDir(beats: BeatSet, epochs = 3): Promise<{ dir: string; model: tf.LayersModel }> {
  await initEngine({ prefer: 'wasm' });
  const model = buildCnn({ length: beats.length, channels: beats.channels, features: FEATURE_COUNT, classes: MODEL_CLASSES.length, seed: 3 });
  const data = trainingSetOf(beats, model);
  await fitLogits(logitsView(model), data, { epochs, batchSize: 64, learningRate: 3e-3, classWeights: balancedClassWeights(data.labels, 4) });
  tf.dispose(data.inputs);
  const dir = join(mkdtempSync(join(tmpdir(), 'ecg-compress-')), 'cnn');
  // Saved exactly as `ecg-review train` saves a classifier, metadata included.
  await saveModel(model, dir, {
    format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, arch: 'cnn', classes: [...MODEL_CLASSES], window: DEFAULT_WINDOW,
    channels: [...WINDOW_CHANNELS], features: [...FEATURE_NAMES], decisionBias: [0, 0.3, 0, 0], parameters: model.countParams(),
    seed: 3, trainedOn: FIXTURE_RECORDS.join(','), backend: tf.getBackend(), createdAt: new Date().toISOString(),
  });
  return { dir, model };
}

/** A CliIo that keeps what a command prints, for the CLI tests. */
export function capture(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '', stderr: '',
    out: async (t: string) => { io.stdout += t; },
    err: (t: string) => { io.stderr += `${t}\n`; },
    progress: () => undefined,
  };
  return io;
}
