/**
 * One beat classified with the lite runtime, as a device does it as beats arrive: the beat window and its RR
 * features in, class probabilities and the decided class out — the decision rule of `decide` (train/train.ts):
 * argmax of log(p) plus the model's per-class decision offsets.
 */
import type { AamiClass } from '../../domain/aami.js';
import { LiteModelError } from './errors.js';
import type { LiteModel } from './model.js';

export interface BeatInputs {
  /** The beat window, [time][channel] (the model's window spec). */
  window: ArrayLike<number>;
  /** The beat's feature vector (FEATURE_NAMES order). */
  features: ArrayLike<number>;
}

export interface BeatClass {
  probabilities: Float32Array;
  /** Index into `classes`. */
  index: number;
  label: AamiClass;
}

/** Which of a beat's arrays each model input takes: rank-2 inputs the window, rank-1 the features (as compress/tensors.ts). */
function arrange(model: LiteModel, beat: BeatInputs): ArrayLike<number>[] {
  return model.inputs.map((inp) => {
    if (inp.shape.length === 2) return beat.window;
    if (inp.shape.length === 1) return beat.features;
    throw new LiteModelError(`input ${inp.name} has shape [${inp.shape}]; a beat classifier takes a window and features`, model.dir);
  });
}

export function classifyBeat(model: LiteModel, beat: BeatInputs): BeatClass {
  const meta = model.meta;
  if (!meta) throw new LiteModelError('has no classifier metadata (model.json userDefinedMetadata.ecgReview)', model.dir);
  const p = model.predict(arrange(model, beat));
  let index = 0, best = -Infinity;
  for (let k = 0; k < p.length; k++) {
    const v = Math.log(Math.max(1e-12, p[k])) + (meta.decisionBias[k] ?? 0);
    if (v > best) { best = v; index = k; }
  }
  return { probabilities: p, index, label: meta.classes[index] };
}

/** Every beat of a set (windows [beat][time][channel], features [beat][feature]), one at a time as a device runs them. */
export function classifyBeats(model: LiteModel, set: { n: number; length: number; channels: number; x: Float32Array; features: Float32Array }): { probabilities: Float32Array; predicted: Int8Array } {
  const K = model.meta?.classes.length ?? 0;
  const W = set.length * set.channels;
  const F = set.n ? set.features.length / set.n : 0;
  const probabilities = new Float32Array(set.n * K);
  const predicted = new Int8Array(set.n);
  for (let i = 0; i < set.n; i++) {
    const c = classifyBeat(model, { window: set.x.subarray(i * W, (i + 1) * W), features: set.features.subarray(i * F, (i + 1) * F) });
    probabilities.set(c.probabilities, i * K);
    predicted[i] = c.index;
  }
  return { probabilities, predicted };
}
