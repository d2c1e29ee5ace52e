/**
 * Lightweight models: size of every shipped model (model.json + weights, and gzipped), and the smallest one's
 * speed — on the wasm backend, throughput in batches (target ≥ 30,000 beats/s) and single-beat latency through
 * tfjs `model.predict` (target < 1 ms median); and the same model's files run by the lite runtime
 * (src-main/model/lite, plain TypeScript, no tfjs), one beat at a time as a device would. Timed on real beats of
 * MIT-BIH record 100, the model loaded from disk as it runs. Then the integer-only form (`causal-student-integer`):
 * the TypeScript integer runtime one beat at a time, and its C source compiled with gcc -O2, timed inside the program.
 * Run: `npm run bench -- compress`. Extra model directories: ECG_REVIEW_BENCH_MODELS=dir1,dir2.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLabelledRecord } from '../../src-main/model/dataset/mitdb.js';
import { describeEngine, initEngine } from '../../src-main/model/engine/backend.js';
import { tf } from '../../src-main/model/engine/tf.js';
import { readMetadata, windowOf } from '../../src-main/model/compress/evaluate.js';
import { countParameters, diskSize, loadModelDir, readModelFiles } from '../../src-main/model/compress/model-files.js';
import { inputTensors } from '../../src-main/model/compress/tensors.js';
import { RESOURCES_MODELS_DIR } from '../../src-main/model/io.js';
import { classifyBeat } from '../../src-main/model/lite/classify-beat.js';
import { LiteModelError } from '../../src-main/model/lite/errors.js';
import { readIntegerModel } from '../../src-main/model/lite/integer-files.js';
import { constantBytes, decideQ15 } from '../../src-main/model/lite/integer-c.js';
import { loadLiteModel } from '../../src-main/model/lite/load.js';
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
  const sizeTable: BenchTable = { title: 'Model sizes on disk (model.json + weights)', columns: ['model', 'parameters', 'non-zero', 'weights', 'storage', 'bytes', 'gzip bytes', '≤ 32 KB'], rows: sizes };
  const smallestName = `${smallest.dir.replace(`${RESOURCES_MODELS_DIR}/`, '')}, ${smallest.bytes} bytes`;
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
    speed.push(['tfjs-wasm model.predict', `batched ${batch}`, (batch / q(runs, 0.5)) * 1000, q(runs, 0.5) / batch, q(runs, 0.95) / batch, 'target ≥ 30,000 beats/s']);
    tf.dispose(xs);
  }

  // Single beats: 3 runs of 200 beats, tfjs and lite alternating run by run (same beats), so both see the same machine.
  const lite = await loadLiteModel(smallest.dir).catch((e: unknown) => {
    if (e instanceof LiteModelError) return e;
    throw e;
  });
  if (lite instanceof LiteModelError) {
    tf.dispose(all);
    model.dispose();
    return [sizeTable, { title: `Smallest model (${smallestName})`, columns: ['note'], rows: [[`the lite runtime does not run it: ${lite.message}`]] }];
  }
  const W = beats.length * beats.channels, F = beats.features.length / beats.n;
  const beatInputs = (i: number) => ({ window: beats.x.subarray(i * W, (i + 1) * W), features: beats.features.subarray(i * F, (i + 1) * F) });
  const RUNS = 3, PER_RUN = 200;
  const ones = Array.from({ length: RUNS * PER_RUN }, (_, i) => all.map((t) => t.slice(i, 1)));
  for (let i = 0; i < 20; i++) (model.predict(ones[i].length === 1 ? ones[i][0] : ones[i]) as tf.Tensor).dispose();
  for (let i = 0; i < 500; i++) classifyBeat(lite, beatInputs(i % beats.n)); // JIT warm-up
  const tfjsRows: (string | number)[][] = [], liteRows: (string | number)[][] = [];
  const row = (path: string, run: number, ms: number[]) => [path, `single beat, run ${run + 1} (${ms.length} beats)`, 1000 / q(ms, 0.5), q(ms, 0.5), q(ms, 0.95), 'target < 1 ms median'];
  for (let r = 0; r < RUNS; r++) {
    const tfjsMs: number[] = [], liteMs: number[] = [];
    for (let i = r * PER_RUN; i < (r + 1) * PER_RUN; i++) {
      const xs = ones[i];
      const t0 = performance.now();
      const y = model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
      await y.data();
      tfjsMs.push(performance.now() - t0);
      y.dispose();
    }
    for (let i = r * PER_RUN; i < (r + 1) * PER_RUN; i++) {
      const beat = beatInputs(i);
      const t0 = performance.now();
      classifyBeat(lite, beat);
      liteMs.push(performance.now() - t0);
    }
    tfjsRows.push(row('tfjs-wasm model.predict', r, tfjsMs));
    liteRows.push(row('lite (no tfjs)', r, liteMs));
  }
  speed.push(...tfjsRows, ...liteRows);
  // Lite throughput: every beat of the record, one at a time (it has no batched kernels); 3 warm + 7 timed passes.
  const liteAll: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    lite.predictBatch([beats.x, beats.features], beats.n);
    if (i >= 3) liteAll.push(performance.now() - t0);
  }
  speed.push(['lite (no tfjs)', `all ${beats.n} beats, one at a time`, (beats.n / q(liteAll, 0.5)) * 1000, q(liteAll, 0.5) / beats.n, q(liteAll, 0.95) / beats.n, '']);
  tf.dispose([...all, ...ones.flat()]);
  model.dispose();
  return [
    sizeTable,
    ...(await integerTables()),
    {
      title: `Smallest model (${smallestName}) on ${describeEngine(info)}`,
      columns: ['path', 'mode', 'beats/s (median)', 'ms/beat median', 'ms/beat p95', 'target'],
      rows: speed,
      notes: [
        'Timed, on record 100 beat windows and features already built (not the signal conditioning): tfjs — model.predict on tensors already made + `await y.data()` reading the probabilities back (batched rows: one predict per batch, per-beat figures = batch time / batch); ' +
          'lite — classifyBeat (src-main/model/lite) on one beat\'s Float32Array window + features: the forward pass of the same model files, probabilities out and the decided class. ' +
          'Single-beat rows: 3 runs of 200 beats each, median and p95 of the per-beat times within the run. The machine is shared, so figures vary.',
      ],
    },
  ];
}

/** The integer-only model's speed: the TypeScript integer runtime, and its C source as a device would run it. */
async function integerTables(): Promise<BenchTable[]> {
  const dir = join(RESOURCES_MODELS_DIR, 'causal-student-integer');
  const integer = await readIntegerModel(dir);
  if (!integer) return [{ title: 'Integer-only model', columns: ['note'], rows: [[`no integer model in ${dir}`]] }];
  const { meta, card } = await readMetadata(dir);
  const beats = await loadLabelledRecord(mitdbRecord('100'), { window: windowOf(meta, card) });
  const W = beats.length * beats.channels, F = beats.features.length / beats.n;
  const one = (i: number) => [beats.x.subarray(i * W, (i + 1) * W), beats.features.subarray(i * F, (i + 1) * F)];
  const rows: (string | number)[][] = [];
  for (let i = 0; i < 500; i++) integer.predictQ15(one(i % beats.n)); // JIT warm-up
  for (let r = 0; r < 3; r++) {
    const ms: number[] = [];
    for (let i = r * 200; i < (r + 1) * 200; i++) {
      const t0 = performance.now();
      decideQ15(integer.spec, integer.predictQ15(one(i)));
      ms.push(performance.now() - t0);
    }
    rows.push(['integer runtime (TypeScript)', `single beat, run ${r + 1} (200 beats)`, 1000 / q(ms, 0.5), q(ms, 0.5), q(ms, 0.95)]);
  }
  const work = mkdtempSync(join(tmpdir(), 'ecg-bench-c-'));
  try {
    writeFileSync(join(work, 'in.bin'), new Float32Array(Array.from({ length: beats.n }, (_, i) => [...one(i)[0], ...one(i)[1]]).flat()));
    writeFileSync(join(work, 'bench.c'), `#include <stdio.h>
#include <time.h>
#include "ecg_model.h"
static float in[${beats.n}][ECG_MODEL_WINDOW + ECG_MODEL_FEATURES];
int main(void) {
  FILE *f = fopen("${join(work, 'in.bin')}", "rb");
  if (!f || fread(in, sizeof in, 1, f) != 1) return 1;
  int8_t wq[ECG_MODEL_WINDOW], xq[ECG_MODEL_FEATURES]; int32_t p[ECG_MODEL_CLASSES]; long sink = 0;
  for (int pass = 0; pass < 10; pass++) {
    struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < ${beats.n}; i++) { ecg_model_quantize(in[i], in[i] + ECG_MODEL_WINDOW, wq, xq); ecg_model_run(wq, xq, p); sink += ecg_model_decide(p); }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.9f\\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9);
  }
  return sink < 0;
}
`);
    execFileSync('gcc', ['-std=gnu99', '-O2', '-I', dir, '-o', join(work, 'bench'), join(work, 'bench.c'), join(dir, 'ecg_model.c')]);
    const passes = execFileSync(join(work, 'bench'), { encoding: 'utf8' }).trim().split('\n').map(Number).slice(3); // 3 warm passes
    rows.push(['C99 source (gcc -O2)', `all ${beats.n} beats, one at a time, 7 passes`, (beats.n / q(passes, 0.5)), (1000 * q(passes, 0.5)) / beats.n, (1000 * q(passes, 0.95)) / beats.n]);
  } catch (e) {
    rows.push(['C99 source', `not timed: ${(e as Error).message.split('\n')[0]}`, '', '', '']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return [{
    title: `Integer-only model (causal-student-integer: int8 activations and weights, int32 accumulators; ${constantBytes(integer.spec)} bytes of constant data in C)`,
    columns: ['path', 'mode', 'beats/s (median)', 'ms/beat median', 'ms/beat p95'],
    rows,
    notes: ['Record 100\'s beat windows and features already built; each beat quantized to int8 at the entry, run, and decided in integers (ecg_model_decide / decideQ15). The C row is timed by the program itself (clock_gettime around each pass), on this machine, not a microcontroller.'],
  }];
}
