/**
 * Lightweight models: size of every shipped model (model.json + weights, and gzipped), and the smallest one's
 * speed on the wasm backend — throughput in batches (target ≥ 30,000 beats/s) and single-beat latency (target
 * < 1 ms median), timed on real beats of MIT-BIH record 100, the model loaded from disk as it runs.
 * Run: `npm run bench -- compress`. Extra model directories: ECG_REVIEW_BENCH_MODELS=dir1,dir2.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadLabelledRecord } from '../../src-main/model/dataset/mitdb.js';
import { describeEngine, initEngine } from '../../src-main/model/engine/backend.js';
import { tf } from '../../src-main/model/engine/tf.js';
import { readMetadata, windowOf } from '../../src-main/model/compress/evaluate.js';
import { countParameters, diskSize, loadModelDir, readModelFiles } from '../../src-main/model/compress/model-files.js';
import { inputTensors } from '../../src-main/model/compress/tensors.js';
import { RESOURCES_MODELS_DIR } from '../../src-main/model/io.js';
import { mitdbRecord } from '../helpers/data.js';
import type { BenchTable } from './table.js';

const q = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]; };

function modelDirs(): string[] {
  const shipped = existsSync(RESOURCES_MODELS_DIR)
    ? readdirSync(RESOURCES_MODELS_DIR).map((d) => join(RESOURCES_MODELS_DIR, d)).filter((d) => existsSync(join(d, 'model.json')))
    : [];
  const extra = (process.env.ECG_REVIEW_BENCH_MODELS ?? '').split(',').filter(Boolean);
  return [...shipped, ...extra];
}

export async function run(): Promise<BenchTable[]> {
  const info = await initEngine({ prefer: 'wasm' });
  const dirs = modelDirs();
  if (dirs.length === 0) return [{ title: 'Compressed models', columns: ['note'], rows: [['no model directories in resources/models (or ECG_REVIEW_BENCH_MODELS)']] }];
  const sizes: (string | number)[][] = [];
  let smallest = { dir: '', bytes: Infinity };
  for (const d of dirs) {
    const s = await diskSize(d);
    const files = await readModelFiles(d);
    const m = await loadModelDir(d);
    const { parameters, nonZero } = countParameters(m);
    m.dispose();
    sizes.push([d.replace(`${RESOURCES_MODELS_DIR}/`, ''), parameters, nonZero, files.quantization ?? 'float32', files.sparse ? 'bitmask' : 'dense', s.bytes, s.gzipBytes, s.bytes <= 32 * 1024 ? 'yes' : 'no']);
    if (s.bytes < smallest.bytes) smallest = { dir: d, bytes: s.bytes };
  }
  const { meta, card } = await readMetadata(smallest.dir);
  const beats = await loadLabelledRecord(mitdbRecord('100'), { window: windowOf(meta, card) });
  const model = await loadModelDir(smallest.dir);
  const all = inputTensors(beats, model);
  const speed: (string | number)[][] = [];
  for (const batch of [256, 1024, 2048]) {
    const xs = all.map((t) => t.slice(0, batch));
    const once = async (): Promise<number> => {
      const t0 = performance.now();
      const y = model.predict(xs.length === 1 ? xs[0] : xs, { batchSize: batch }) as tf.Tensor; // not chunks of 32
      await y.data();
      y.dispose();
      return performance.now() - t0;
    };
    for (let i = 0; i < 3; i++) await once();
    const runs: number[] = [];
    for (let i = 0; i < 15; i++) runs.push(await once());
    speed.push([`batched ${batch}`, (batch / q(runs, 0.5)) * 1000, q(runs, 0.5) / batch, q(runs, 0.95) / batch, 'target ≥ 30,000 beats/s']);
    tf.dispose(xs);
  }
  const ones = Array.from({ length: 200 }, (_, i) => all.map((t) => t.slice(i, 1)));
  const single: number[] = [];
  for (let i = 0; i < 20; i++) (model.predict(ones[i].length === 1 ? ones[i][0] : ones[i]) as tf.Tensor).dispose();
  for (const xs of ones) {
    const t0 = performance.now();
    const y = model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
    await y.data();
    single.push(performance.now() - t0);
    y.dispose();
  }
  speed.push(['single beat', 1000 / q(single, 0.5), q(single, 0.5), q(single, 0.95), 'target < 1 ms median']);
  tf.dispose([...all, ...ones.flat()]);
  model.dispose();
  return [
    { title: 'Model sizes on disk (model.json + weights)', columns: ['model', 'parameters', 'non-zero', 'weights', 'storage', 'bytes', 'gzip bytes', '≤ 32 KB'], rows: sizes },
    {
      title: `Smallest model (${smallest.dir.replace(`${RESOURCES_MODELS_DIR}/`, '')}, ${smallest.bytes} bytes) on ${describeEngine(info)}`,
      columns: ['mode', 'beats/s (median)', 'ms/beat median', 'ms/beat p95', 'target'],
      rows: speed,
      notes: ['Timed: model.predict + reading the probabilities back, on record 100 beat windows already built (not the signal conditioning). The machine is shared, so figures vary.'],
    },
  ];
}
