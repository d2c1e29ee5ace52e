/**
 * Beat-classifier throughput: training beats/s of each architecture and classification (inference) beats/s of
 * all three on every backend that initialises here (tensorflow when tfjs-node is installed, wasm, cpu).
 * Targets: baseline CNN training ≥ 2,000 beats/s and classification ≥ 10,000 beats/s on wasm.
 * Real beats: records 119 and 209 of MIT-BIH (built by the model's dataset code, cached).
 */
import { availableParallelism, loadavg } from 'node:os';
import { ARCHITECTURES, buildModel } from '../../src-main/model/architectures/index.js';
import { concatBeatSets, FEATURE_COUNT, MODEL_CLASSES, subsetBeats, type BeatSet } from '../../src-main/model/dataset/beats.js';
import { loadLabelledRecord } from '../../src-main/model/dataset/mitdb.js';
import { DEFAULT_WINDOW } from '../../src-main/model/dataset/windows.js';
import { describeEngine, initEngine, type BackendPreference } from '../../src-main/model/engine/backend.js';
import { tf } from '../../src-main/model/engine/tf.js';
import { predictProbs, trainModel } from '../../src-main/model/train/train.js';
import { HAVE_MITDB, mitdbRecord } from '../helpers/data.js';
import { time, type BenchTable } from './table.js';

async function beats(): Promise<BeatSet> {
  const parts = [];
  for (const r of ['119', '209']) parts.push(await loadLabelledRecord(mitdbRecord(r), { window: DEFAULT_WINDOW }));
  return concatBeatSets(parts);
}

export async function run(): Promise<BenchTable[]> {
  if (!HAVE_MITDB) return [{ title: 'model: skipped (MIT-BIH not found)', columns: ['-'], rows: [] }];
  const data = await beats();
  const trainSet = subsetBeats(data, Array.from({ length: 4096 }, (_, i) => Math.floor((i * data.n) / 4096)));
  const inferSet = subsetBeats(data, Array.from({ length: 8192 }, (_, i) => Math.floor((i * data.n) / 8192)));
  const trainRows: (string | number)[][] = [];
  const inferRows: (string | number)[][] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const prefer of ['node', 'wasm', 'cpu'] as BackendPreference[]) {
    const info = await initEngine({ prefer });
    if (seen.has(info.backend)) continue; // tfjs-node absent: 'node' fell back to wasm
    seen.add(info.backend);
    const engine = describeEngine(info);
    for (const arch of ARCHITECTURES) {
      const model = buildModel(arch, { length: data.length, channels: data.channels, features: FEATURE_COUNT, classes: MODEL_CLASSES.length, seed: 1 });
      const params = model.countParams();
      // inference: batches of 1024 beats (as classify does), 3 timed runs after a warm-up
      const set = info.backend === 'cpu' ? subsetBeats(inferSet, Array.from({ length: 2048 }, (_, i) => i)) : inferSet;
      const t = await time(() => predictProbs(model, set, 1024), 3, 1);
      inferRows.push([arch, engine, params, set.n, t.median, Math.round(set.n / (t.median / 1000))]);
      model.dispose();
      // training: one epoch of class-weighted, augmented mini-batches of 128 (cpu: a quarter of the beats)
      const ts = info.backend === 'cpu' ? subsetBeats(trainSet, Array.from({ length: 1024 }, (_, i) => i)) : trainSet;
      const r = await trainModel(ts, null, { arch, epochs: 1, seed: 1, patience: 0, batchSize: 128 });
      trainRows.push([arch, engine, params, ts.n, Math.round(r.history[0].seconds * 1000), Math.round(r.history[0].beatsPerSecond)]);
      r.model.dispose();
    }
  }
  notes.push(`load average during the run: ${loadavg().map((v) => v.toFixed(1)).join(' / ')} on ${availableParallelism()} cores (figures scale with the share of a core this process got).`);
  notes.push(`tensors alive after the runs: ${tf.memory().numTensors}. Targets (wasm, baseline cnn): training ≥ 2,000 beats/s, classification ≥ 10,000 beats/s.`);
  return [
    { title: 'model: classification throughput (beats/s, batch 1024)', columns: ['arch', 'backend', 'params', 'beats', 'median ms', 'beats/s'], rows: inferRows, notes },
    { title: 'model: training throughput (one epoch, batch 128, augmentation on)', columns: ['arch', 'backend', 'params', 'beats', 'ms', 'beats/s'], rows: trainRows },
  ];
}
