/**
 * Models side by side: size (parameters, non-zero parameters, bytes on disk and gzipped), inference latency per
 * beat on each available tfjs backend (single beat and batched, median and p95) and on the lite runtime
 * (src-main/model/lite, plain TypeScript, single beat; models it does not run are noted, not errors), accuracy, macro-F1 over N/S/V
 * and Se/+P per class on the same evaluation beats, and McNemar's test between every pair of models on those
 * beats, so that a small difference in accuracy is not read as a win (McNemar, Psychometrika 12:153–157, 1947;
 * Dietterich, Neural Computation 10:1895–1923, 1998, recommends it for comparing two classifiers on one test set).
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mcnemar, type McNemarResult } from '../../evaluation/metrics.js';
import { figureDifferenceIntervals, type FigureDifferences } from '../../evaluation/class-figures.js';
import { calibrationDifferenceIntervals, type CalibrationDifferences } from '../../evaluation/calibration.js';
import { FEATURE_COUNT, type BeatSet } from '../dataset/beats.js';
import { describeEngine, initEngine, type BackendPreference } from '../engine/backend.js';
import { readCard } from './card.js';
import { CompressError } from './errors.js';
import { evaluateModel, readMetadata, windowOf, type ModelEvaluation } from './evaluate.js';
import { loadLabelledRecords } from '../dataset/mitdb.js';
import { countParameters, diskSize, loadModelDir, readModelFiles } from './model-files.js';
import { inputTensors } from './tensors.js';
import { tf } from './tf.js';
import { classifyBeat, type BeatInputs } from '../lite/classify-beat.js';
import { LiteModelError } from '../lite/errors.js';
import { loadLiteModel } from '../lite/load.js';
import { INTEGER_JSON, readIntegerModel } from '../lite/integer-files.js';
import { INTEGER_RUNTIME, type IntegerModel } from '../lite/integer.js';
import { constantBytes, decideQ15 } from '../lite/integer-c.js';
import type { LiteModel } from '../lite/model.js';

export interface Latency {
  backend: string;
  engine: string;
  /** Milliseconds per beat. */
  singleMedian: number;
  singleP95: number;
  batchSize: number;
  batchedMedian: number;
  batchedP95: number;
}

/** The lite runtime's name among compare's backends (`--backends …,lite`, the table's column). */
export const LITE_BACKEND = 'lite';
export const LITE_ENGINE = 'lite runtime (plain TypeScript, no tfjs, one beat at a time)';
/** What the lite column times for a model with an integer form (integer.json). */
export const INTEGER_ENGINE = `${INTEGER_RUNTIME}, one beat at a time`;

/** Single-beat latency on the lite runtime; it has no batched kernels, so there is no batched figure. */
export interface LiteLatency {
  engine: string;
  /** Milliseconds per beat (`classifyBeat`: forward pass + decision), null when refused. */
  singleMedian: number | null;
  singleP95: number | null;
  /** Why the lite runtime does not run this model (its LiteModelError, without the directory); null when it does. */
  refused: string | null;
}

export interface ModelRow {
  dir: string;
  name: string;
  parameters: number;
  nonZeroParameters: number;
  bytes: number;
  gzipBytes: number;
  quantization: string | null;
  sparse: boolean;
  compression: string;
  latency: Latency[];
  /** Absent when the lite runtime was not among the backends timed. */
  lite?: LiteLatency;
  /** A directory with an integer form: its integer.json (bytes, gzipped) and the C source's constant data (bytes). */
  integer?: { jsonBytes: number; gzipBytes: number; constantBytes: number };
  evaluation: Omit<ModelEvaluation, 'truth' | 'predicted' | 'recordCounts' | 'calibrationUnits'> | null;
}

export interface PairTest {
  a: string; b: string; result: McNemarResult; accuracyDifference: number | null;
  /** A − B of the class figures with paired record-bootstrap intervals (percentage points). */
  differences: FigureDifferences;
  /** A − B of ECE and Brier with paired record-bootstrap intervals (fractions). */
  calibration: CalibrationDifferences;
}

export interface Comparison {
  records: string[];
  /** Patient-specific protocol: each record's first minutes learnt (atr labels) and left out of the scoring. */
  adaptMinutes?: number;
  beats: number;
  models: ModelRow[];
  mcnemar: PairTest[];
}

export interface CompareOptions {
  dataDir: string;
  /** Evaluation records (empty: sizes and latencies only). */
  records: readonly string[];
  /**
   * Backends to time on; unavailable ones are skipped. Default node (tfjs-node, when installed), wasm, cpu and
   * lite (the plain-TypeScript runtime, single beat only).
   */
  backends?: (BackendPreference | typeof LITE_BACKEND)[];
  /** Timed repetitions (default 50 single-beat, 10 batched) and batch size (default 256). */
  latencyRuns?: number;
  batchSize?: number;
  /** Adapt each model to each record on its first minutes of atr labels, and score after them (model/adapt.ts). */
  adaptMinutes?: number;
  progress?: (m: string) => void;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** Time `model.predict` on real beats: one beat at a time, and in batches (per beat). */
export async function measureLatency(model: tf.LayersModel, beats: BeatSet | null, runs: number, batchSize: number): Promise<Omit<Latency, 'backend' | 'engine'>> {
  const shapes = model.inputs.map((i) => i.shape.slice(1) as number[]);
  const make = (n: number, offset: number): tf.Tensor[] => {
    if (beats && beats.n > 0) {
      const idx = tf.tensor1d(Array.from({ length: n }, (_, i) => (offset + i) % beats.n), 'int32');
      const all = inputTensors(beats, model);
      const out = all.map((t) => tf.gather(t, idx));
      tf.dispose([...all, idx]);
      return out;
    }
    return shapes.map((s) => tf.randomNormal([n, ...s], 0, 1, 'float32', 5));
  };
  const timeOnce = async (xs: tf.Tensor[]): Promise<number> => {
    const t0 = performance.now();
    // batchSize: predict would otherwise split the batch into chunks of 32 and concatenate them.
    const y = model.predict(xs.length === 1 ? xs[0] : xs, { batchSize: xs[0].shape[0] }) as tf.Tensor;
    await y.data();
    const dt = performance.now() - t0;
    y.dispose();
    return dt;
  };
  const single: number[] = [];
  const ones = make(Math.min(runs, 64), 0);
  const slices = Array.from({ length: Math.min(runs, 64) }, (_, i) => ones.map((t) => t.slice(i, 1)));
  for (let i = 0; i < 10; i++) await timeOnce(slices[i % slices.length]);
  for (let r = 0; r < runs; r++) single.push(await timeOnce(slices[r % slices.length]));
  tf.dispose([...ones, ...slices.flat()]);
  const batch = make(batchSize, 7);
  const batched: number[] = [];
  await timeOnce(batch);
  await timeOnce(batch);
  const bRuns = Math.max(3, Math.ceil(runs / 5));
  for (let r = 0; r < bRuns; r++) batched.push((await timeOnce(batch)) / batchSize);
  tf.dispose(batch);
  single.sort((a, b) => a - b);
  batched.sort((a, b) => a - b);
  return {
    singleMedian: quantile(single, 0.5), singleP95: quantile(single, 0.95),
    batchSize, batchedMedian: quantile(batched, 0.5), batchedP95: quantile(batched, 0.95),
  };
}

/**
 * Time the lite runtime on the beats `measureLatency` times one at a time (the first min(runs, 64) beats, or the
 * same seeded normal inputs without records), after an untimed JIT warm-up. Throws LiteModelError for inputs the
 * model does not take.
 */
export function measureLiteLatency(model: LiteModel, beats: BeatSet | null, runs: number): { singleMedian: number; singleP95: number } {
  return measureOneByOne(model.inputs, (b) => classifyBeat(model, b), beats, runs);
}

/** The same timing for any one-beat classifier taking inputs of these shapes (the lite or the integer runtime). */
function measureOneByOne(shapes: readonly { shape: readonly number[] }[], classify: (b: BeatInputs) => unknown, beats: BeatSet | null, runs: number): { singleMedian: number; singleP95: number } {
  const model = { inputs: shapes };
  const n = Math.max(1, Math.min(runs, 64));
  const inputs: BeatInputs[] = [];
  if (beats && beats.n > 0) {
    const W = beats.length * beats.channels;
    for (let i = 0; i < n; i++) {
      const j = i % beats.n;
      inputs.push({ window: beats.x.subarray(j * W, (j + 1) * W), features: beats.features.subarray(j * FEATURE_COUNT, (j + 1) * FEATURE_COUNT) });
    }
  } else {
    const random = (rank: number): Float32Array => {
      const inp = model.inputs.find((i) => i.shape.length === rank);
      if (!inp) return new Float32Array(0);
      const t = tf.randomNormal([n, ...inp.shape], 0, 1, 'float32', 5);
      const data = t.dataSync() as Float32Array;
      t.dispose();
      return data;
    };
    const win = random(2), feat = random(1);
    const ws = win.length / n, fs = feat.length / n;
    for (let i = 0; i < n; i++) inputs.push({ window: win.subarray(i * ws, (i + 1) * ws), features: feat.subarray(i * fs, (i + 1) * fs) });
  }
  for (let i = 0; i < 500; i++) classify(inputs[i % n]); // JIT warm-up (as the compress bench)
  const single: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    classify(inputs[r % n]);
    single.push(performance.now() - t0);
  }
  single.sort((a, b) => a - b);
  return { singleMedian: quantile(single, 0.5), singleP95: quantile(single, 0.95) };
}

/** The lite runtime's latency for a model directory, or why it does not run it (not an error for compare); a model with an integer form (`integer`, read by the caller) times that form instead. */
export async function liteLatency(dir: string, beats: BeatSet | null, runs: number, integer: IntegerModel | null = null): Promise<LiteLatency> {
  if (integer) {
    // An integer model runs as integers on a device: time that runtime (probabilities and the integer decision).
    const shapes = integer.spec.inputs;
    const run = (b: BeatInputs) => decideQ15(integer.spec, integer.predictQ15(shapes.map((i) => (i.shape.length === 2 ? b.window : b.features))));
    return { engine: INTEGER_ENGINE, ...measureOneByOne(shapes, run, beats, runs), refused: null };
  }
  try {
    const model = await loadLiteModel(dir);
    return { engine: LITE_ENGINE, ...measureLiteLatency(model, beats, runs), refused: null };
  } catch (e) {
    if (!(e instanceof LiteModelError)) throw e;
    const prefix = e.input ? `${e.input}: ` : '';
    return { engine: LITE_ENGINE, singleMedian: null, singleP95: null, refused: prefix && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message };
  }
}

function uniqueName(name: string, rows: ModelRow[]): string {
  let n = name, k = 2;
  while (rows.some((r) => r.name === n)) n = `${name} (${k++})`;
  return n;
}

export async function compareModels(dirs: readonly string[], opts: CompareOptions): Promise<Comparison> {
  if (dirs.length === 0) throw new CompressError('compare needs at least one model directory');
  const say = opts.progress ?? (() => undefined);
  // Fail on a bad directory before any slow work.
  for (const d of dirs) await readModelFiles(d);
  const rows: ModelRow[] = [];
  const evaluations: (ModelEvaluation | null)[] = [];
  // Latency is timed on real beats: the labelled beats of the first evaluation record, in the model's window.
  const beatsByWindow = new Map<string, BeatSet>();
  const beatsFor = async (dir: string): Promise<BeatSet | null> => {
    if (opts.records.length === 0) return null;
    const { meta, card } = await readMetadata(dir);
    const w = windowOf(meta, card);
    const key = JSON.stringify(w);
    if (!beatsByWindow.has(key)) beatsByWindow.set(key, await loadLabelledRecords(opts.dataDir, opts.records.slice(0, 1), { window: w }));
    return beatsByWindow.get(key)!;
  };
  const requested = opts.backends ?? ['node', 'wasm', 'cpu', LITE_BACKEND];
  const backends = requested.filter((b): b is BackendPreference => b !== LITE_BACKEND);
  const timeLite = requested.includes(LITE_BACKEND);
  for (const dir of dirs) {
    const card = await readCard(dir);
    const files = await readModelFiles(dir);
    const size = await diskSize(dir);
    const beats = await beatsFor(dir);
    // Accuracy on the default engine (the one classify uses), whatever backends are timed.
    await initEngine();
    const model = await loadModelDir(dir);
    const { parameters, nonZero } = countParameters(model);
    model.dispose();
    say(`${dir}: evaluating`);
    const evaluation = opts.records.length ? await evaluateModel(dir, { dataDir: opts.dataDir, records: opts.records, ...(opts.adaptMinutes ? { adaptSeconds: opts.adaptMinutes * 60 } : {}) }) : null;
    evaluations.push(evaluation);
    const latency: Latency[] = [];
    const seen = new Set<string>();
    for (const b of backends) {
      const info = await initEngine({ prefer: b });
      if (seen.has(info.backend)) continue; // the preferred backend was unavailable and fell back to one already timed
      seen.add(info.backend);
      say(`${dir}: timing on ${describeEngine(info)}`);
      const m = await loadModelDir(dir);
      const t = await measureLatency(m, beats, opts.latencyRuns ?? 50, opts.batchSize ?? 256);
      m.dispose();
      latency.push({ backend: info.backend, engine: describeEngine(info), ...t });
    }
    const integer = await readIntegerModel(dir);
    let lite: LiteLatency | undefined;
    if (timeLite) {
      say(`${dir}: timing on the ${integer ? INTEGER_ENGINE : LITE_ENGINE}`);
      lite = await liteLatency(dir, beats, opts.latencyRuns ?? 50, integer);
      if (lite.refused) say(`${dir}: the lite runtime does not run it: ${lite.refused}`);
    }
    const { truth: _t, predicted: _p, recordCounts: _r, calibrationUnits: _u, ...figures } = evaluation ?? ({} as ModelEvaluation);
    const intJson = integer ? await readFile(join(dir, INTEGER_JSON)) : null;
    rows.push({
      dir: resolve(dir), name: uniqueName(card?.name ?? basename(resolve(dir)), rows), parameters, nonZeroParameters: nonZero,
      bytes: size.bytes, gzipBytes: size.gzipBytes, quantization: files.quantization, sparse: files.sparse,
      compression: (card?.compression ?? []).map((s) => s.kind).join(' → ') || 'none',
      latency, ...(lite ? { lite } : {}), evaluation: evaluation ? figures : null,
      ...(integer && intJson ? { integer: { jsonBytes: intJson.length, gzipBytes: gzipSync(intJson, { level: 9 }).length, constantBytes: constantBytes(integer.spec) } } : {}),
    });
  }
  await initEngine();
  const pairs: PairTest[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const ea = evaluations[i], eb = evaluations[j];
      if (!ea || !eb || ea.truth.length !== eb.truth.length) continue; // different windows → different beats
      pairs.push({
        a: rows[i].name, b: rows[j].name, result: mcnemar(ea.truth, ea.predicted, eb.predicted),
        accuracyDifference: ea.accuracy !== null && eb.accuracy !== null ? ea.accuracy - eb.accuracy : null, // percentage points
        differences: figureDifferenceIntervals(ea.recordCounts, eb.recordCounts),
        calibration: calibrationDifferenceIntervals(ea.calibrationUnits, eb.calibrationUnits),
      });
    }
  }
  const first = evaluations.find((e) => e);
  return { records: [...opts.records], ...(opts.adaptMinutes ? { adaptMinutes: opts.adaptMinutes } : {}), beats: first?.beats ?? 0, models: rows, mcnemar: pairs };
}
