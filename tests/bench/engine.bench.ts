/**
 * Engine bench (`npm run bench -- engine`) on an engine stress model, the "baseline CNN" of the engine tests
 * (tests/model/engine/tiny-models.ts: conv1d 16@7 → pool → 32@5 → pool → 64@3 → global pool → ⊕ 4 RR features
 * → dense 32 → dense 5, input [256,1]). It has about 8× the multiply-adds per beat of the product's `cnn`
 * (~750 k vs ~95 k: conv 8@7/16@5/16@5 on 120 samples), so its beats/s are NOT the issue's bars: those are measured on the
 * product architectures by model.bench.ts. Here:
 *  - training throughput at batch 256 on wasm with our kernels (fused Adam as trainModel uses it, and tfjs'
 *    Adam), on wasm with only the missing Conv2DBackpropFilter filled in plain JS (stock kernels otherwise), and
 *    on cpu — wall (median/best) and per CPU-second (median/best);
 *  - per-layer convolution gradient timings, fast vs reference;
 *  - inference throughput at batch 1024 on wasm in this thread and through the 2-worker pool;
 *  - single-beat latency.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../src-main/model/engine/tf.js';
import { describeEngine, initEngine, type BackendPreference } from '../../src-main/model/engine/backend.js';
import { useWasmGradKernels, type WasmGradKernelMode } from '../../src-main/model/engine/wasm-grad-kernels.js';
import { fastAdam } from '../../src-main/model/engine/adam.js';
import { directoryHandler } from '../../src-main/model/engine/io.js';
import { startInferencePool } from '../../src-main/model/engine/pool.js';
import { baselineCnn, batchTensors, syntheticBatch } from '../model/engine/tiny-models.js';
import { time, type BenchTable } from './table.js';

const BATCH = 256;
const INFER_BATCH = 1024;

/** Run `f` and read its result; the read stays outside tidy (tidy walks a returned TypedArray element-wise). */
function sync(f: () => tf.Tensor): void {
  const t = tf.tidy(f);
  t.dataSync();
  t.dispose();
}

const progress = (m: string): void => {
  process.stderr.write(`[engine bench] ${m}\n`);
};

async function trainingRow(label: string, prefer: BackendPreference, kernels: WasmGradKernelMode | undefined, steps: number, warmup = 1, batch = BATCH, fused = false): Promise<(string | number)[]> {
  progress(`training: ${label}`);
  await initEngine({ prefer });
  if (kernels) useWasmGradKernels(kernels);
  const model = baselineCnn(1);
  model.compile({ optimizer: fused ? fastAdam(1e-3) : tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const { xs, ys } = batchTensors(syntheticBatch(batch, 1));
  const cpuMs: number[] = [];
  const t = await time(async () => {
    const c = process.cpuUsage();
    await model.trainOnBatch(xs, ys);
    const d = process.cpuUsage(c);
    cpuMs.push((d.user + d.system) / 1000);
  }, steps, warmup);
  const timed = cpuMs.slice(warmup).sort((a, b) => a - b);
  tf.dispose([...xs, ys]);
  model.dispose();
  if (kernels) useWasmGradKernels('fast');
  const rate = (ms: number): number => Math.round((batch / ms) * 1000);
  return [label, batch, `${t.median.toFixed(0)} (min ${t.min.toFixed(0)})`, rate(t.median), rate(t.min), rate(timed[Math.floor((timed.length - 1) / 2)]), rate(timed[0])];
}

async function convGradRows(): Promise<(string | number)[][]> {
  await initEngine({ prefer: 'wasm' });
  const layers: [string, number, number, number, number][] = [
    ['conv1 [256,256,1]→16 k7', 256, 1, 16, 7],
    ['conv2 [256,128,16]→32 k5', 128, 16, 32, 5],
    ['conv3 [256,64,32]→64 k3', 64, 32, 64, 3],
  ];
  const rows: (string | number)[][] = [];
  for (const [name, W, Cin, Cout, k] of layers) {
    progress(`conv gradients: ${name}`);
    const x = tf.randomNormal([BATCH, 1, W, Cin]) as tf.Tensor4D;
    const w = tf.randomNormal([1, k, Cin, Cout]) as tf.Tensor4D;
    const dy = tf.randomNormal([BATCH, 1, W, Cout]) as tf.Tensor4D;
    const fwd = await time(() => sync(() => tf.conv2d(x, w, 1, 'same')), 5, 1);
    // A fresh dy per call, as in training: the XNNPACK operator (with dy packed as its weights) is cached per
    // tensor, so reusing one dy would time only the first call's packing.
    const dys = Array.from({ length: 8 }, () => tf.add(dy, 0) as tf.Tensor4D);
    let call = 0;
    const dW = (): void => sync(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dys[call++ % dys.length] }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [1, k, Cin, Cout] }) as tf.Tensor);
    const dX = (): void => sync(() => tf.conv2dTranspose(dy, w, [BATCH, 1, W, Cin], 1, 'same'));
    const fastW = await time(dW, 5, 1);
    const fastX = await time(dX, 5, 1);
    useWasmGradKernels('reference');
    const refW = await time(dW, 3, 1);
    const refX = await time(dX, 3, 1);
    useWasmGradKernels('fast');
    rows.push([name, fwd.min, fastW.min, refW.min, fastX.min, refX.min]);
    tf.dispose([x, w, dy, ...dys]);
  }
  return rows;
}

async function inferenceRows(): Promise<{ rows: (string | number)[][]; latency: (string | number)[][] }> {
  await initEngine({ prefer: 'wasm' });
  const model = baselineCnn(1);
  const b = syntheticBatch(INFER_BATCH, 2);
  const predict = (n: number): void => sync(() => model.predict([tf.tensor3d(b.beats.subarray(0, n * 256), [n, 256, 1]), tf.tensor2d(b.rr.subarray(0, n * 4), [n, 4])]) as tf.Tensor);
  const cpuTimed = async (f: () => unknown): Promise<{ wall: Awaited<ReturnType<typeof time>>; cpuMs: number }> => {
    let cpuMs = Number.POSITIVE_INFINITY;
    const wall = await time(async () => {
      const c = process.cpuUsage();
      await f();
      const d = process.cpuUsage(c);
      cpuMs = Math.min(cpuMs, (d.user + d.system) / 1000);
    }, 7, 2);
    return { wall, cpuMs };
  };
  const row = (label: string, r: { wall: Awaited<ReturnType<typeof time>>; cpuMs: number }): (string | number)[] =>
    [label, r.wall.median.toFixed(1), Math.round((INFER_BATCH / r.wall.median) * 1000), Math.round((INFER_BATCH / r.wall.min) * 1000), Math.round((INFER_BATCH / r.cpuMs) * 1000)];
  const rows: (string | number)[][] = [row('wasm, this thread', await cpuTimed(() => predict(INFER_BATCH)))];

  const dir = await mkdtemp(join(tmpdir(), 'ecg-engine-bench-'));
  await model.save(directoryHandler(dir));
  progress('inference');
  for (const workers of [1, 2]) {
    const pool = await startInferencePool({ dir }, { workers });
    rows.push(row(`wasm, pool of ${workers} worker${workers > 1 ? 's' : ''}`, await cpuTimed(() => pool.predict([b.beats, b.rr], INFER_BATCH))));
    await pool.close();
  }
  await rm(dir, { recursive: true, force: true });

  // Single-beat latency, in this thread (the pool adds a message round trip).
  for (let i = 0; i < 20; i++) predict(1);
  const lat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    predict(1);
    lat.push(performance.now() - t0);
  }
  lat.sort((x, y) => x - y);
  const latency = [['baseline CNN, 1 beat, wasm', lat[Math.floor(lat.length * 0.5)].toFixed(3), lat[Math.floor(lat.length * 0.95)].toFixed(3), lat[0].toFixed(3)]];
  model.dispose();
  return { rows, latency };
}

export async function run(): Promise<BenchTable[]> {
  const load = loadavg()[0].toFixed(1);
  const engine = describeEngine(await initEngine({ prefer: 'wasm' }));
  const context = `Node ${process.version}, ${availableParallelism()} cores, 1-min load average at start ${load}; engine: ${engine}.`;

  const training: (string | number)[][] = [];
  training.push(await trainingRow('wasm + our kernels + fused Adam (as trainModel)', 'wasm', 'fast', 7, 2, BATCH, true));
  training.push(await trainingRow('wasm + our kernels, tfjs Adam', 'wasm', 'fast', 5));
  training.push(await trainingRow('wasm + plain-JS dW only (stock dX, MaxPoolGrad, Sum, Identity, BatchMatMul)', 'wasm', 'reference', 2));
  // The cpu backend needs minutes per batch of 256 here; a batch of 32 gives its throughput well enough.
  training.push(await trainingRow('cpu (plain JS)', 'cpu', undefined, 2, 1, 32));
  const convs = await convGradRows();
  const inf = await inferenceRows();
  return [
    {
      title: 'Engine: training the baseline beat CNN (Adam)',
      columns: ['backend', 'batch', 'step ms median', 'wall beats/s median', 'wall best', 'per CPU-s median', 'per CPU-s best'],
      rows: training,
      notes: [
        context,
        'Engine stress model, ~8× the work per beat of the product cnn: the issue\'s bar (≥ 2,000 beats/s, product cnn',
        'on wasm) is reported by model.bench.ts. "per CPU-s" divides by the process CPU time of each step (all',
        'threads), a contention-robust estimate of what one idle core does.',
      ],
    },
    {
      title: 'Engine: convolution gradients on wasm, batch 256, best of runs (ms)',
      columns: ['layer', 'forward Conv2D', 'dW ours', 'dW plain JS', 'dX ours', 'dX stock wasm'],
      rows: convs,
    },
    {
      title: `Engine: inference throughput (batch ${INFER_BATCH})`,
      columns: ['where', 'ms median', 'beats/s (median)', 'beats/s (best)', 'beats per CPU-second'],
      rows: inf.rows,
      notes: ['Engine stress model (the product cnn\'s classification bar, ≥ 10,000 beats/s, is in model.bench.ts). CPU time counts all threads of the process, workers included.'],
    },
    {
      title: 'Engine: single-beat latency (ms, 300 calls)',
      columns: ['model', 'median', 'p95', 'min'],
      rows: inf.latency,
      notes: ['Target: < 1 ms median for a tiny model.'],
    },
  ];
}
