/**
 * Beat-classifier throughput, the figures issue #4's speed bars are about: training beats/s of each
 * architecture (the product's `trainModel`: batch 128, class-weighted loss, augmentation, Adam) and
 * classification beats/s (`predictProbs`, batches of 1024, as `classify` runs) of all three on every backend
 * that initialises here (tensorflow when tfjs-node is installed, wasm, cpu).
 * Bars (wasm, baseline cnn): training ≥ 2,000 beats/s, classification ≥ 10,000 beats/s.
 *
 * Each figure is given as wall-clock beats/s (median and best of several runs) and as beats per CPU-second of
 * this process (all its threads): on a shared machine the wall figure is this process's share of a core, the
 * CPU figure what one core does. Training runs 1 warm-up epoch (JIT, XNNPACK operator set-up) and then times
 * the following epochs separately. Real beats: records 119 and 209 of MIT-BIH (built by the dataset code).
 */
import { availableParallelism, loadavg } from 'node:os';
import { ARCHITECTURES, buildModel } from '../../src-main/model/architectures/index.js';
import { concatBeatSets, FEATURE_COUNT, MODEL_CLASSES, subsetBeats, type BeatSet } from '../../src-main/model/dataset/beats.js';
import { loadLabelledRecord } from '../../src-main/model/dataset/mitdb.js';
import { DEFAULT_WINDOW } from '../../src-main/model/dataset/windows.js';
import { describeEngine, initEngine, type BackendPreference } from '../../src-main/model/engine/backend.js';
import { tf } from '../../src-main/model/engine/tf.js';
import { predictProbs, trainModel } from '../../src-main/model/train/train.js';
import { morphologyConsensus } from '../../src-main/model/consensus.js';
import { CONSENSUS_GRID } from '../../src-main/model/train/decision.js';
import { time } from './table.js';
import { HAVE_MITDB, mitdbRecord } from '../helpers/data.js';
import type { BenchTable } from './table.js';

const TRAIN_BAR = 2000;
const CLASSIFY_BAR = 10000;
/** Timed training epochs after the warm-up epoch (wasm/tensorflow; cpu: 1). */
const TRAIN_EPOCHS = 4;
/** Timed classification runs after one warm-up run (cpu: 2). */
const CLASSIFY_RUNS = 5;

async function beats(): Promise<BeatSet> {
  const parts = [];
  for (const r of ['119', '209']) parts.push(await loadLabelledRecord(mitdbRecord(r), { window: DEFAULT_WINDOW }));
  return concatBeatSets(parts);
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

/** beats/s for each run: wall and per CPU-second. */
interface Rates { wall: number[]; cpu: number[] }

function rateCells(r: Rates): (string | number)[] {
  return [Math.round(median(r.wall)), Math.round(Math.max(...r.wall)), Math.round(median(r.cpu)), Math.round(Math.max(...r.cpu)), r.wall.length];
}

function barCell(arch: string, backend: string, r: Rates, bar: number): string {
  if (arch !== 'cnn' || backend !== 'wasm') return '';
  const ok = (v: number): string => (v >= bar ? 'met' : 'not met');
  return `≥ ${bar.toLocaleString('en')}: wall median ${ok(median(r.wall))}, per CPU-s ${ok(median(r.cpu))}`;
}

async function classifyRates(arch: (typeof ARCHITECTURES)[number], set: BeatSet, runs: number): Promise<{ rates: Rates; params: number }> {
  const model = buildModel(arch, { length: set.length, channels: set.channels, features: FEATURE_COUNT, classes: MODEL_CLASSES.length, seed: 1 });
  const params = model.countParams();
  predictProbs(model, set, 1024); // warm-up
  const rates: Rates = { wall: [], cpu: [] };
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    predictProbs(model, set, 1024);
    const wall = performance.now() - t;
    rates.wall.push((set.n / wall) * 1000);
    rates.cpu.push((set.n / cpuMs(c)) * 1000);
  }
  model.dispose();
  return { rates, params };
}

async function trainRates(arch: (typeof ARCHITECTURES)[number], set: BeatSet, timedEpochs: number): Promise<Rates> {
  const rates: Rates = { wall: [], cpu: [] };
  let c = process.cpuUsage();
  const r = await trainModel(set, null, { arch, epochs: 1 + timedEpochs, seed: 1, patience: 0, batchSize: 128 }, (p) => {
    if (!p.log) return;
    if (p.epoch > 1) {
      rates.wall.push(p.log.beatsPerSecond);
      rates.cpu.push((set.n / cpuMs(c)) * 1000);
    }
    c = process.cpuUsage();
  });
  r.model.dispose();
  return rates;
}

export async function run(): Promise<BenchTable[]> {
  if (!HAVE_MITDB) return [{ title: 'model: skipped (MIT-BIH not found)', columns: ['-'], rows: [] }];
  const data = await beats();
  const spread = (s: BeatSet, n: number): BeatSet => subsetBeats(s, Array.from({ length: n }, (_, i) => Math.floor((i * s.n) / n)));
  const trainSet = spread(data, 4096);
  const inferSet = spread(data, 8192);
  const trainRows: (string | number)[][] = [];
  const inferRows: (string | number)[][] = [];
  const loadStart = loadavg().map((v) => v.toFixed(1)).join(' / ');
  const seen = new Set<string>();
  // MODEL_BENCH_BACKENDS=wasm (comma-separated) limits the run, e.g. to skip the slow cpu backend.
  const wanted = process.env.MODEL_BENCH_BACKENDS?.split(',') ?? ['node', 'wasm', 'cpu'];
  for (const prefer of ['node', 'wasm', 'cpu'].filter((b) => wanted.includes(b)) as BackendPreference[]) {
    const info = await initEngine({ prefer });
    if (seen.has(info.backend)) continue; // tfjs-node absent: 'node' fell back to wasm
    seen.add(info.backend);
    const engine = describeEngine(info);
    const slow = info.backend === 'cpu';
    for (const arch of ARCHITECTURES) {
      process.stderr.write(`[model bench] ${info.backend} ${arch}\n`);
      // The plain-JS cpu backend is ~50–500× slower: fewer beats and runs there.
      const { rates: inf, params } = await classifyRates(arch, slow ? spread(inferSet, 1024) : inferSet, slow ? 2 : CLASSIFY_RUNS);
      inferRows.push([arch, engine, params, slow ? 1024 : inferSet.n, ...rateCells(inf), barCell(arch, info.backend, inf, CLASSIFY_BAR)]);
      const ts = slow ? spread(trainSet, 256) : trainSet;
      const tr = await trainRates(arch, ts, slow ? 1 : TRAIN_EPOCHS);
      trainRows.push([arch, engine, params, ts.n, ...rateCells(tr), barCell(arch, info.backend, tr, TRAIN_BAR)]);
    }
  }
  // Morphology consensus (model/consensus.ts) after the network: its neighbour search is linear in the beats.
  const consensusRows: (string | number)[][] = [];
  const probs = new Float32Array(data.n * 4).map((_, i) => ((i * 7919) % 97) / 97 + 0.01);
  for (const k of CONSENSUS_GRID.k) {
    for (const causal of [false, true]) {
      const t = await time(() => morphologyConsensus(probs, data, DEFAULT_WINDOW, { k, alpha: 0.25, span: CONSENSUS_GRID.span, causal }), 3, 1);
      const rate = (data.n / t.median) * 1000;
      consensusRows.push([k, causal ? 'causal (500 before)' : 'offline (±500)', data.n, Math.round(rate), Math.round((data.n / t.min) * 1000), (100_000 / rate).toFixed(1)]);
    }
  }
  const load = `1-min load average ${loadStart} at the start, ${loadavg().map((v) => v.toFixed(1)).join(' / ')} at the end, on ${availableParallelism()} cores`;
  const cols = ['arch', 'backend', 'params', 'beats', 'wall beats/s median', 'wall best', 'per CPU-s median', 'per CPU-s best', 'runs'];
  return [
    {
      title: 'model: classification throughput (predictProbs, batches of 1024)',
      columns: [...cols, 'bar (wasm cnn)'],
      rows: inferRows,
      notes: [
        `${load}: wall figures are the share of a core this process got; "per CPU-s" divides by its own CPU time.`,
        `Runs: ${CLASSIFY_RUNS} after one warm-up (cpu backend: 1,024 beats, 2 runs).`,
      ],
    },
    {
      title: 'model: training throughput (trainModel, batch 128, class weights + augmentation, Adam)',
      columns: [...cols, 'bar (wasm cnn)'],
      rows: trainRows,
      notes: [
        `One run = one epoch over the beats, timed after a warm-up epoch; ${TRAIN_EPOCHS} epochs (cpu backend: 256 beats, 1 epoch).`,
        `Tensors alive after the runs: ${tf.memory().numTensors}.`,
      ],
    },
    {
      title: 'model: morphology consensus (morphologyConsensus, plain TypeScript, one thread)',
      columns: ['k', 'neighbours among', 'beats', 'beats/s median', 'best', 's per 100,000 beats (24-h Holter)'],
      rows: consensusRows,
      notes: ['Records 119 + 209; 3 runs after one warm-up. Applied after the network for models trained with --consensus.'],
    },
  ];
}
