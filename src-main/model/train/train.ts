/**
 * Seeded training of one beat classifier: mini-batch Adam on class-weighted (optionally focal) cross-entropy,
 * optional class-balanced sampling and augmentation, early stopping on a patient-wise validation set.
 * Same seed + same data + same backend → same weights: every random choice (initialisers, dropout masks,
 * shuffles, augmentation) is drawn from seeded generators.
 */
import { mulberry32, type Random } from '../../evaluation/random.js';
import { buildModel, EXPERT_OUTPUTS, type Architecture } from '../architectures/index.js';
import { classCounts, FEATURE_COUNT, MODEL_CLASSES, type BeatSet } from '../dataset/beats.js';
import { fastAdam } from '../engine/adam.js';
import { drawFusion, fuse, fusionSources, type FusionDraw } from './fusion.js';
import { tf } from '../engine/tf.js';
import type { LayersModel, Tensor } from '../engine/tf.js';
import { ModelError } from '../errors.js';
import { scoreBeats, type Scores } from './metrics.js';

export interface TrainConfig {
  arch: Architecture;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Loss weight per class ∝ (1/frequency)^power; 0 = unweighted, 1 = fully inverse. */
  classWeightPower: number;
  /** Focal-loss γ (Lin et al., ICCV 2017); 0 = plain cross-entropy. */
  focalGamma: number;
  /** Draw each epoch's batches with classes balanced ∝ count^(1-power) instead of shuffling all beats once. */
  balancedSampling: boolean;
  /** Beats drawn per epoch with balanced sampling (0 = as many as there are training beats). */
  epochSize: number;
  /** Amplitude / noise / time-shift / RR-jitter augmentation of training batches. */
  augment: boolean;
  /** Share (0–1) of balanced-sampling F draws replaced by synthetic fusion beats (see fusion.ts); 0 = none. */
  fusionSynthesis: number;
  /**
   * Heart-rate augmentation: a training beat's RR intervals (not their ratios) scaled by e^u, u uniform in
   * [−rrScale, rrScale], as the same beat at another rate; 0 = the ±3 % jitter alone.
   */
  rrScale?: number;
  /** Epochs without validation improvement before stopping (0 = never stop early). */
  patience: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  arch: 'cnn', seed: 1, epochs: 12, batchSize: 128, learningRate: 2e-3, classWeightPower: 0.5, focalGamma: 0,
  balancedSampling: false, epochSize: 0, augment: true, patience: 4, fusionSynthesis: 0,
};

export interface EpochLog {
  epoch: number;
  loss: number;
  seconds: number;
  beatsPerSecond: number;
  val?: { accuracy: number; macroF1: number; se: Record<string, number>; ppv: Record<string, number> };
}

export interface TrainResult {
  model: LayersModel;
  history: EpochLog[];
  /** Epoch whose weights were kept (1-based). */
  bestEpoch: number;
  classWeights: number[];
  valScores?: Scores;
}

export type ProgressFn = (p: { epoch: number; epochs: number; batch: number; batches: number; loss: number; elapsed: number; log?: EpochLog }) => void;

/** Class loss weights normalised so that the average weight per beat is 1. */
export function classWeightsFor(counts: number[], power: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const raw = counts.map((c) => (c > 0 ? (total / c) ** power : 0));
  const mean = raw.reduce((a, w, k) => a + w * counts[k], 0) / total;
  return raw.map((w) => w / mean);
}

/**
 * Fill batch tensors for beats `idx` (with optional augmentation drawn from `rnd`). Where `fusion[i]` is given,
 * entry i is that synthetic fusion beat instead of beat idx[i].
 */
export function makeBatch(s: BeatSet, idx: ArrayLike<number>, rnd?: Random, fusion?: readonly (FusionDraw | undefined)[], rrScale = 0): { beat: Tensor; features: Tensor } {
  const B = idx.length;
  const L = s.length;
  const C = s.channels;
  const x = new Float32Array(B * L * C);
  const f = new Float32Array(B * FEATURE_COUNT);
  const fx = new Float32Array(L * C);
  const ff = new Float32Array(FEATURE_COUNT);
  for (let i = 0; i < B; i++) {
    const k = idx[i];
    const d = fusion?.[i];
    if (d) fuse(s, d, fx, ff);
    const src = d ? fx : s.x.subarray(k * L * C, (k + 1) * L * C);
    const fs = d ? ff : s.features.subarray(k * FEATURE_COUNT, (k + 1) * FEATURE_COUNT);
    if (!rnd) {
      x.set(src, i * L * C);
      f.set(fs, i * FEATURE_COUNT);
      continue;
    }
    // time shift ±2 samples (R-peak jitter of a detector), amplitude scale 0.8–1.2, additive noise σ 0–0.15, a slow baseline tilt; RR intervals jittered ±3 % (or scaled by e^±rrScale).
    const shift = Math.floor(rnd() * 5) - 2;
    const scale = 0.8 + 0.4 * rnd();
    const sigma = 0.15 * rnd();
    const tilt = (rnd() - 0.5) * 0.4;
    const o = i * L * C;
    for (let t = 0; t < L; t++) {
      const ts = Math.min(L - 1, Math.max(0, t + shift));
      const ramp = tilt * (t / L - 0.5);
      for (let c = 0; c < C; c++) {
        const v = src[ts * C + c] * scale;
        x[o + t * C + c] = v + ramp + sigma * gauss(rnd);
      }
    }
    const j = rrScale ? Math.exp((rnd() - 0.5) * 2 * rrScale) : 1 + (rnd() - 0.5) * 0.06;
    for (let q = 0; q < FEATURE_COUNT; q++) f[i * FEATURE_COUNT + q] = fs[q] * (q < 4 ? j : 1);
  }
  return { beat: tf.tensor3d(x, [B, L, C]), features: tf.tensor2d(f, [B, FEATURE_COUNT]) };
}

function gauss(rnd: Random): number {
  const u = Math.max(1e-12, rnd());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** Class probabilities [n][classes] of every beat of `s`. */
export function predictProbs(model: LayersModel, s: BeatSet, batchSize = 1024): Float32Array {
  const K = MODEL_CLASSES.length;
  const out = new Float32Array(s.n * K);
  for (let a = 0; a < s.n; a += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, s.n - a) }, (_, i) => a + i);
    const { beat, features } = makeBatch(s, idx);
    const p = model.predict([beat, features], { batchSize: idx.length }) as Tensor; // one pass, not chunks of 32
    out.set(p.dataSync() as Float32Array, a * K);
    tf.dispose([beat, features, p]);
  }
  return out;
}

/** argmax of probabilities, with optional per-class log-prior offsets added first. */
export function decide(probs: Float32Array, bias?: number[]): Int8Array {
  const K = MODEL_CLASSES.length;
  const n = probs.length / K;
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bv = -Infinity;
    for (let k = 0; k < K; k++) {
      const v = Math.log(Math.max(1e-12, probs[i * K + k])) + (bias ? bias[k] : 0);
      if (v > bv) { bv = v; best = k; }
    }
    out[i] = best;
  }
  return out;
}

/** Validation objective for early stopping: macro-F1 over N, S, V (F is too rare per fold to steer on). */
export function selectionScore(s: Scores): number {
  const f = ['N', 'S', 'V'].map((c) => s.perClass[c]?.f1 ?? 0).map((v) => (Number.isNaN(v) ? 0 : v));
  return f.reduce((a, b) => a + b, 0) / f.length;
}

export async function trainModel(train: BeatSet, val: BeatSet | null, config: Partial<TrainConfig> = {}, onProgress?: ProgressFn): Promise<TrainResult> {
  const cfg = { ...DEFAULT_TRAIN_CONFIG, ...config };
  const idxAll: number[] = [];
  for (let i = 0; i < train.n; i++) if (train.labels[i] >= 0) idxAll.push(i);
  if (idxAll.length === 0) throw new ModelError('no labelled beats to train on');
  const counts = classCounts(train);
  const K = MODEL_CLASSES.length;
  const weights = classWeightsFor(counts, cfg.balancedSampling ? 0 : cfg.classWeightPower);
  const rnd = mulberry32(cfg.seed);
  const augRnd = mulberry32(cfg.seed ^ 0x9e3779b9);
  const model = buildModel(cfg.arch, { length: train.length, channels: train.channels, features: FEATURE_COUNT, classes: K, seed: cfg.seed });
  // Train each expert on its own loss when the architecture has them (the saved model outputs their mean).
  const experts = EXPERT_OUTPUTS.map((n) => model.layers.find((l) => l.name === n));
  const trainNet = experts.every((l) => l) ? tf.model({ inputs: model.inputs, outputs: experts.map((l) => l!.output as tf.SymbolicTensor) }) : model;
  const opt = fastAdam(cfg.learningRate); // tf.train.adam's update, bit for bit, fused into one kernel per variable on wasm
  const wT = tf.tensor1d(weights);
  const history: EpochLog[] = [];
  let best = -Infinity;
  let bestEpoch = 0;
  let bestWeights: Tensor[] | null = null;
  let bestScores: Scores | undefined;
  let since = 0;
  const t0 = performance.now();
  const byClass: number[][] = MODEL_CLASSES.map(() => []);
  for (const i of idxAll) byClass[train.labels[i]].push(i);

  const F = MODEL_CLASSES.indexOf('F');
  const fusionFrom = cfg.fusionSynthesis > 0 ? fusionSources(train, idxAll) : [];
  const fusionRnd = mulberry32(cfg.seed ^ 0x5f3759df);
  if (cfg.fusionSynthesis > 0 && !cfg.balancedSampling) throw new ModelError('fusion synthesis replaces balanced-sampling F draws: it needs balanced sampling (--epoch-size > 0)');

  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    let order: number[];
    // synthetic fusion beat per position of `order`, where one replaces a drawn F beat
    const synth: (FusionDraw | undefined)[] = [];
    if (cfg.balancedSampling) {
      // class k drawn with probability ∝ count^(1-power): power 1 → uniform over classes
      const p = counts.map((c) => (c > 0 ? c ** (1 - cfg.classWeightPower) : 0));
      const ps = p.reduce((a, b) => a + b, 0);
      order = new Array<number>(cfg.epochSize > 0 ? cfg.epochSize : idxAll.length);
      for (let i = 0; i < order.length; i++) {
        let r = rnd() * ps;
        let k = 0;
        while (k < K - 1 && r >= p[k]) { r -= p[k]; k++; }
        const pool = byClass[k];
        order[i] = pool[Math.floor(rnd() * pool.length)];
        if (k === F && fusionFrom.length && fusionRnd() < cfg.fusionSynthesis) synth[i] = drawFusion(fusionFrom, fusionRnd);
      }
    } else {
      order = idxAll.slice();
      for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    }
    const te = performance.now();
    const batches = Math.ceil(order.length / cfg.batchSize);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const idx = order.slice(b * cfg.batchSize, (b + 1) * cfg.batchSize);
      const fusion = synth.length ? synth.slice(b * cfg.batchSize, (b + 1) * cfg.batchSize) : undefined;
      const { beat, features } = makeBatch(train, idx, cfg.augment ? augRnd : undefined, fusion, cfg.rrScale ?? 0);
      // One-hot labels built as float32 directly: tf.oneHot gives int32, which every tf.mul with it cast back
      // to float32 (same 0/1 values), and its int32 index tensor was never disposed.
      const yv = new Float32Array(idx.length * K);
      for (let i = 0; i < idx.length; i++) yv[i * K + (fusion?.[i] ? F : train.labels[idx[i]])] = 1;
      const y = tf.tensor2d(yv, [idx.length, K]);
      const loss = opt.minimize(() => {
        const out = trainNet.apply([beat, features], { training: true }) as Tensor | Tensor[];
        const w = tf.sum(tf.mul(y, wT), -1);
        const losses = (Array.isArray(out) ? out : [out]).map((o) => {
          const p = tf.clipByValue(o, 1e-7, 1);
          let ce = tf.neg(tf.sum(tf.mul(y, tf.log(p)), -1)); // [B]
          if (cfg.focalGamma > 0) ce = tf.mul(ce, tf.pow(tf.sub(1, tf.sum(tf.mul(y, p), -1)), cfg.focalGamma));
          return tf.mean(tf.mul(ce, w));
        });
        return (losses.length === 1 ? losses[0] : tf.addN(losses)) as tf.Scalar;
      }, true) as tf.Scalar;
      lossSum += (await loss.data())[0];
      tf.dispose([beat, features, y, loss]);
      onProgress?.({ epoch, epochs: cfg.epochs, batch: b + 1, batches, loss: lossSum / (b + 1), elapsed: (performance.now() - t0) / 1000 });
    }
    const seconds = (performance.now() - te) / 1000;
    const log: EpochLog = { epoch, loss: lossSum / batches, seconds, beatsPerSecond: order.length / seconds };
    let improved = true;
    if (val && val.n > 0) {
      const probs = predictProbs(model, val);
      const s = scoreBeats(MODEL_CLASSES, val.labels, decide(probs), probs);
      const score = selectionScore(s);
      log.val = {
        accuracy: s.accuracy, macroF1: s.macroF1,
        se: Object.fromEntries(MODEL_CLASSES.map((c) => [c, s.perClass[c].se])),
        ppv: Object.fromEntries(MODEL_CLASSES.map((c) => [c, s.perClass[c].ppv])),
      };
      improved = score > best;
      if (improved) { best = score; bestScores = s; }
    }
    if (improved) {
      bestEpoch = epoch;
      tf.dispose(bestWeights ?? []);
      bestWeights = model.getWeights().map((w) => tf.clone(w));
      since = 0;
    } else {
      since++;
    }
    history.push(log);
    onProgress?.({ epoch, epochs: cfg.epochs, batch: batches, batches, loss: log.loss, elapsed: (performance.now() - t0) / 1000, log });
    if (cfg.patience > 0 && since >= cfg.patience) break;
  }
  if (bestWeights) { model.setWeights(bestWeights); tf.dispose(bestWeights); }
  tf.dispose([wT]);
  opt.dispose();
  return { model, history, bestEpoch, classWeights: weights, valScores: bestScores };
}
