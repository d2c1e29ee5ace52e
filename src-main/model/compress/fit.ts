/**
 * The training loop compression needs: mini-batch steps with a loss that can mix hard labels and a teacher's
 * soft targets (knowledge distillation, Hinton, Vinyals & Dean, "Distilling the knowledge in a neural network",
 * arXiv:1503.02531, 2015), and a hook after every optimizer update (pruning re-applies its masks there).
 * Written as an explicit loop over `optimizer.minimize` rather than `model.fit` because the loss needs two
 * targets per beat and the masks must be enforced after each step, not each epoch.
 */
import { mulberry32, shuffleInPlace } from '../../evaluation/random.js';
import { tf } from './tf.js';

/** Beats as a model consumes them: one tensor per model input (first axis = beat), plus AAMI class indices. */
export interface TrainingSet {
  inputs: tf.Tensor[];
  labels: Int32Array;
}

export interface FitOptions {
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  /** Per-class weights of the loss (by the beat's hard label); default: all 1. */
  classWeights?: number[];
  /** Teacher logits (or log-probabilities), [beats, classes]: enables the distillation term. */
  teacherLogits?: tf.Tensor2D;
  /** Weight of the hard-label cross-entropy; 1 − alpha goes to the distillation term. Default 1 (no teacher) or 0.5. */
  alpha?: number;
  /** Distillation temperature T (default 4). */
  temperature?: number;
  seed?: number;
  /** Called after every optimizer update (e.g. to re-apply pruning masks), with the global step number. */
  afterStep?: (step: number) => void;
  /** Called before every step (e.g. to update a pruning schedule). */
  beforeStep?: (step: number) => void;
  onEpoch?: (epoch: number, loss: number) => void;
}

export function stepsPerEpoch(beats: number, batchSize: number): number {
  return Math.ceil(beats / batchSize);
}

/**
 * Class weights ∝ (1/frequency)^power (default ½, a softer form of inverse frequency), normalised to a
 * beat-weighted mean of 1 so the learning rate keeps its meaning.
 */
export function balancedClassWeights(labels: Int32Array, classes: number, power = 0.5): number[] {
  const count = new Array<number>(classes).fill(0);
  for (const l of labels) count[l]++;
  const raw = count.map((c) => (c > 0 ? (1 / c) ** power : 0));
  const mean = count.reduce((a, c, k) => a + c * raw[k], 0) / Math.max(1, labels.length);
  return raw.map((w) => (mean > 0 ? w / mean : 1));
}

/**
 * loss = α·CE(y, softmax(z_s)) + (1 − α)·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)), each beat weighted by its
 * class weight; the T² keeps the soft term's gradients on the scale of the hard one (Hinton et al. 2015).
 */
export function distillationLoss(
  studentLogits: tf.Tensor2D, labels: tf.Tensor1D, sampleWeights: tf.Tensor1D,
  teacherLogits: tf.Tensor2D | undefined, alpha: number, temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const classes = studentLogits.shape[1];
    const onehot = tf.oneHot(labels, classes).toFloat();
    const logP = tf.logSoftmax(studentLogits);
    const ce = tf.neg(tf.sum(tf.mul(onehot, logP), 1));
    let perBeat: tf.Tensor1D = ce as tf.Tensor1D;
    if (teacherLogits && alpha < 1) {
      const T = temperature;
      const logPt = tf.logSoftmax(tf.div(teacherLogits, T));
      const logPs = tf.logSoftmax(tf.div(studentLogits, T));
      const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1);
      perBeat = tf.add(tf.mul(ce, alpha), tf.mul(kl, (1 - alpha) * T * T)) as tf.Tensor1D;
    }
    return tf.div(tf.sum(tf.mul(perBeat, sampleWeights)), tf.sum(sampleWeights)) as tf.Scalar;
  });
}

/**
 * Train `logitsModel` (a model whose output is pre-softmax logits, sharing its weights with the model that is
 * saved) on `data`. Returns the mean loss of each epoch.
 */
export async function fitLogits(logitsModel: tf.LayersModel, data: TrainingSet, opts: FitOptions): Promise<number[]> {
  const n = data.labels.length;
  const batch = opts.batchSize ?? 256;
  const optimizer = tf.train.adam(opts.learningRate ?? 1e-3);
  const random = mulberry32(opts.seed ?? 1);
  const classes = (logitsModel.outputs[0].shape[1] as number) ?? 5;
  const cw = opts.classWeights ?? new Array<number>(classes).fill(1);
  const alpha = opts.alpha ?? (opts.teacherLogits ? 0.5 : 1);
  const T = opts.temperature ?? 4;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const losses: number[] = [];
  let step = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffleInPlace(order, random);
    let sum = 0, count = 0;
    for (let b = 0; b < n; b += batch) {
      opts.beforeStep?.(step);
      const idx = order.subarray(b, Math.min(n, b + batch));
      const lossValue = tf.tidy(() => {
        const it = tf.tensor1d(idx, 'int32');
        const xs = data.inputs.map((x) => tf.gather(x, it));
        const lab = tf.gather(tf.tensor1d(data.labels, 'int32'), it) as tf.Tensor1D;
        const sw = tf.gather(tf.tensor1d(cw), lab) as tf.Tensor1D;
        const tl = opts.teacherLogits ? (tf.gather(opts.teacherLogits, it) as tf.Tensor2D) : undefined;
        const l = optimizer.minimize(() => {
          const z = logitsModel.apply(xs.length === 1 ? xs[0] : xs, { training: true }) as tf.Tensor2D;
          return distillationLoss(z, lab, sw, tl, alpha, T);
        }, true);
        return l!.dataSync()[0];
      });
      opts.afterStep?.(step);
      step++;
      sum += lossValue * idx.length;
      count += idx.length;
      if (step % 20 === 0) await tf.nextFrame();
    }
    losses.push(sum / count);
    opts.onEpoch?.(epoch, sum / count);
  }
  optimizer.dispose();
  return losses;
}

/** Logits of a model whose last layer applies softmax: log-probabilities (softmax-equivalent up to a constant). */
export function predictLogits(model: tf.LayersModel, inputs: tf.Tensor[], batchSize = 1024): tf.Tensor2D {
  const n = inputs[0].shape[0];
  const parts: tf.Tensor2D[] = [];
  for (let b = 0; b < n; b += batchSize) {
    parts.push(tf.tidy(() => {
      const xs = inputs.map((x) => x.slice(b, Math.min(batchSize, n - b)));
      const p = model.predict(xs.length === 1 ? xs[0] : xs, { batchSize }) as tf.Tensor2D;
      return tf.log(tf.clipByValue(p, 1e-7, 1)) as tf.Tensor2D;
    }));
  }
  const out = tf.concat(parts) as tf.Tensor2D;
  parts.forEach((p) => p.dispose());
  return out;
}

/** Class probabilities in batches, as a plain array [beats × classes]. */
export function predictProbabilities(model: tf.LayersModel, inputs: tf.Tensor[], batchSize = 1024): Float32Array {
  const n = inputs[0].shape[0];
  const classes = model.outputs[0].shape[1] as number;
  const out = new Float32Array(n * classes);
  for (let b = 0; b < n; b += batchSize) {
    const v = tf.tidy(() => {
      const xs = inputs.map((x) => x.slice(b, Math.min(batchSize, n - b)));
      return (model.predict(xs.length === 1 ? xs[0] : xs, { batchSize }) as tf.Tensor).dataSync() as Float32Array;
    });
    out.set(v, b * classes);
  }
  return out;
}

/**
 * The model seen as producing logits: the input of its final softmax when that is a separate layer, else
 * log(probabilities) of its output (equal to the logits up to a per-beat constant, which softmax ignores) — e.g.
 * a Dense with softmax activation, or the classifiers' average of two softmax experts.
 */
export function logitsView(model: tf.LayersModel): tf.LayersModel {
  const last = model.layers[model.layers.length - 1];
  const cfg = last.getConfig() as { activation?: string };
  if (last.getClassName() === 'Activation' && cfg.activation === 'softmax') {
    return tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
  }
  return tf.model({ inputs: model.inputs, outputs: new LogLayer().apply(model.outputs[0]) as tf.SymbolicTensor });
}

/** log(clip(p)) as a layer, to turn a softmax output into logits (up to a per-beat constant) for training. */
class LogLayer extends tf.layers.Layer {
  static className = 'EcgReviewLog';
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.log(tf.clipByValue(x, 1e-7, 1));
  }
}
