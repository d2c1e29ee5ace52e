/**
 * Patient-specific adaptation: fine-tune a trained classifier on a few labelled beats of one patient — the EC57
 * learning period (the first 5 minutes, which EC57 leaves out of the scoring for exactly this) or the beats a
 * reviewer has corrected — and classify the rest of that patient's recording with it.
 *
 * The labelled beats are few and mostly N, so plain fine-tuning would forget what the model knows of classes the
 * patient has not yet shown. The loss therefore mixes the labels with the original model's own outputs on the same
 * beats (learning without forgetting: Li & Hoiem, IEEE TPAMI 40(12), 2018), by the distillation loss of `compress/fit.ts`.
 * The decision (offsets and morphology consensus) stays the original model's: only the network adapts.
 *
 * This is the patient-specific protocol of Hu et al. (IEEE TBME 44(9), 1997) and Kiranyaz et al. (IEEE TBME 63(3),
 * 2016), not the patient-independent one of de Chazal et al. (2004): its figures compare with that literature only.
 */
import type { AamiClass } from '../domain/aami.js';
import type { Annotation } from '../domain/annotation.js';
import { balancedClassWeights, fitLogits, logitsView, predictLogits } from './compress/fit.js';
import { inputTensors } from './compress/tensors.js';
import { tf } from './compress/tf.js';
import { labelDetections, type BeatSet } from './dataset/beats.js';
import { ModelError } from './errors.js';
import type { LoadedModel } from './io.js';

export interface AdaptOptions {
  epochs: number;
  learningRate: number;
  /** Weight of the labels; 1 − alpha goes to agreeing with the original model (distillation). */
  alpha: number;
  temperature: number;
  batchSize: number;
  seed: number;
}

/**
 * Fixed before any adapted model was scored: a small learning rate and few epochs, because a 5-minute learning
 * period holds a few hundred beats; labels and the original model weighed equally.
 */
export const DEFAULT_ADAPT_OPTIONS: Readonly<AdaptOptions> = { epochs: 10, learningRate: 3e-4, alpha: 0.5, temperature: 2, batchSize: 32, seed: 1 };

/** The labelled beats of one patient: indices into the beat set and their classes (indices into the model's classes). */
export interface PatientLabels {
  indices: Int32Array;
  labels: Int32Array;
}

export interface Adaptation {
  /** Labelled beats learnt from, per class. */
  beats: Partial<Record<AamiClass, number>>;
  /** What the labels were (e.g. `atr, first 300 s`). */
  source: string;
  options: AdaptOptions;
  /** Mean loss of each epoch. */
  losses: number[];
}

export interface AdaptedModel extends LoadedModel {
  adaptation: Adaptation;
}

/**
 * The beats of `set` before `seconds`, labelled by the reference `anns` (EC57 matching: the nearest reference beat
 * within 150 ms), for beats found by a detector as well as at the annotator's own positions. Beats the reference
 * does not match, or labels the model does not output (Q), are left out.
 */
export function labelsFromAnnotations(set: BeatSet, anns: readonly Annotation[], fs: number, seconds: number, classes: readonly AamiClass[]): PatientLabels {
  if (!(seconds > 0)) throw new ModelError(`learning period must be a positive number of seconds, got ${seconds}`);
  const end = seconds * fs;
  let n = 0;
  while (n < set.n && set.samples[n] < end) n++;
  const matched = labelDetections(set.samples.subarray(0, n), anns.filter((a) => a.sample < end + 0.15 * fs), fs).classes!;
  const idx: number[] = [];
  const lab: number[] = [];
  matched.forEach((c, i) => {
    const k = c === undefined ? -1 : classes.indexOf(c);
    if (k >= 0) { idx.push(i); lab.push(k); }
  });
  return { indices: Int32Array.from(idx), labels: Int32Array.from(lab) };
}

/** A copy of a model with its own weights, so adapting it leaves the loaded (possibly shared) model untouched. */
async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(artifacts!));
}

/** Fine-tune a copy of `m` on the labelled beats of one patient's `set`. */
export async function adaptModel(m: LoadedModel, set: BeatSet, learn: PatientLabels, source: string, options: Partial<AdaptOptions> = {}): Promise<AdaptedModel> {
  const o: AdaptOptions = { ...DEFAULT_ADAPT_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  // name the recordings these beats come from (a subset of a larger set lists every record in `records`)
  const present = [...new Set(Array.from(set.recordIndex, (r) => set.records[r]))];
  const where = `${m.dir} adapted to ${present.join(', ') || 'the recording'}`;
  if (learn.indices.length !== learn.labels.length) throw new ModelError(`${learn.indices.length} beat indices but ${learn.labels.length} labels`, where);
  if (learn.indices.length === 0) throw new ModelError(`no labelled beats to adapt on (${source})`, where);
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) throw new ModelError(`epochs must be a whole number ≥ 1, got ${o.epochs}`, where);
  if (!(o.alpha > 0 && o.alpha <= 1)) throw new ModelError(`alpha must be in (0, 1], got ${o.alpha}`, where);
  if (!(o.learningRate > 0)) throw new ModelError(`learning rate must be positive, got ${o.learningRate}`, where);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new ModelError(`batch size must be a whole number ≥ 1, got ${o.batchSize}`, where);
  const K = m.meta.classes.length;
  const beats: Partial<Record<AamiClass, number>> = {};
  for (const l of learn.labels) {
    if (!(l >= 0 && l < K)) throw new ModelError(`label ${l} is not one of the model's ${K} classes`, where);
    beats[m.meta.classes[l]] = (beats[m.meta.classes[l]] ?? 0) + 1;
  }
  for (const i of learn.indices) if (!(i >= 0 && i < set.n)) throw new ModelError(`beat index ${i} is outside the ${set.n} beats`, where);
  const model = await cloneModel(m.model);
  const all = inputTensors(set, m.model);
  const idx = tf.tensor1d(learn.indices, 'int32');
  const inputs = all.map((x) => tf.gather(x, idx));
  all.forEach((x) => x.dispose());
  idx.dispose();
  const teacherLogits = predictLogits(m.model, inputs);
  try {
    const losses = await fitLogits(logitsView(model), { inputs, labels: learn.labels }, {
      epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, seed: o.seed,
      classWeights: balancedClassWeights(learn.labels, K), teacherLogits, alpha: o.alpha, temperature: o.temperature,
    });
    return { model, meta: m.meta, dir: m.dir, adaptation: { beats, source, options: o, losses } };
  } finally {
    teacherLogits.dispose();
    inputs.forEach((x) => x.dispose());
  }
}
