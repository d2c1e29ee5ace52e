/**
 * Knowledge distillation (Hinton, Vinyals & Dean 2015): a small student learns from a trained teacher's softened
 * outputs as well as from the hard labels — loss = α·CE(labels) + (1−α)·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)).
 * The student takes the same inputs as the teacher (beat window [time, channels] and, when the teacher has them,
 * the per-beat feature vector), so it drops into the same classify path. Train it on DS1 only.
 */
import { CompressError } from './errors.js';
import { fitLogits, logitsView, predictLogits, type TrainingSet, type FitOptions } from './fit.js';
import { tf } from './tf.js';
import { HierarchicalExperts } from '../architectures/layers.js';

export const STUDENT_ARCHITECTURES = ['tiny-cnn', 'micro-cnn', 'small-cnn'] as const;
export type StudentArchitecture = (typeof STUDENT_ARCHITECTURES)[number];

interface StudentSpec { filters: number[]; kernels: number[]; hidden: number }
const SPECS: Record<StudentArchitecture, StudentSpec> = {
  // ≈3k parameters: a few KB of uint8 weights, far below the 32 KB budget.
  'tiny-cnn': { filters: [8, 16, 16], kernels: [7, 5, 3], hidden: 16 },
  // ≈0.8k parameters.
  'micro-cnn': { filters: [6, 8, 8], kernels: [7, 5, 3], hidden: 8 },
  // ≈5k parameters: still ≈15 KB on disk after uint8 quantization.
  'small-cnn': { filters: [16, 24, 24], kernels: [7, 5, 3], hidden: 24 },
};

export function isStudentArchitecture(s: string): s is StudentArchitecture {
  return (STUDENT_ARCHITECTURES as readonly string[]).includes(s);
}

/**
 * A tiny 1-D CNN with the teacher's inputs and classes: three stride-2 convolutions over the beat window, global
 * average and max pooling, concatenated with the feature vector (if any), one small hidden layer, logits, softmax.
 * The logits layer is named `logits` and the softmax is a separate layer so distillation can read logits.
 */
export function buildStudent(arch: StudentArchitecture, like: tf.LayersModel, seed = 7): tf.LayersModel {
  const spec = SPECS[arch];
  const classes = like.outputs[0].shape[1] as number;
  const inputs = like.inputs.map((t, i) => tf.input({ shape: t.shape.slice(1) as number[], name: `student_input_${i}` }));
  const wave = inputs.find((t) => t.shape.length === 3);
  if (!wave) throw new CompressError(`the teacher has no [time, channels] beat-window input (inputs: ${like.inputs.map((t) => JSON.stringify(t.shape)).join(', ')})`);
  let h: tf.SymbolicTensor = wave;
  // Strided convolutions instead of conv + max-pooling: the same receptive field for far fewer kernel
  // launches and memory passes, which is what dominates inference time at this size.
  spec.filters.forEach((f, i) => {
    h = tf.layers.conv1d({
      filters: f, kernelSize: spec.kernels[i], strides: 2, padding: 'same', activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: seed + i }), name: `conv${i + 1}`,
    }).apply(h) as tf.SymbolicTensor;
  });
  // Global average and max pooling keep the dense part tiny whatever the window length.
  const avg = tf.layers.globalAveragePooling1d({ name: 'gap' }).apply(h) as tf.SymbolicTensor;
  const max = tf.layers.globalMaxPooling1d({ name: 'gmp' }).apply(h) as tf.SymbolicTensor;
  const others = inputs.filter((t) => t !== wave && t.shape.length === 2);
  let z = tf.layers.concatenate({ name: 'features' }).apply([avg, max, ...others]) as tf.SymbolicTensor;
  z = tf.layers.dense({ units: spec.hidden, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 10 }), name: 'hidden' }).apply(z) as tf.SymbolicTensor;
  z = tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 11 }), name: 'logits' }).apply(z) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax', name: 'probabilities' }).apply(z) as tf.SymbolicTensor;
  const features = others[0];
  if (!features || !hasHierarchicalHead(like)) return tf.model({ inputs, outputs: out, name: `student_${arch}` });
  // Keep the teacher's hierarchical head: a tiny rhythm expert on the features alone splits the supraventricular
  // mass into N and S, so the student cannot learn S from waveforms (which does not transfer to new patients).
  let r = tf.layers.dense({ units: spec.hidden, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 12 }), name: 'rhythm_hidden' }).apply(features) as tf.SymbolicTensor;
  r = tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 13 }), name: 'rhythm_probabilities' }).apply(r) as tf.SymbolicTensor;
  return tf.model({ inputs, outputs: new HierarchicalExperts({ name: 'probs' }).apply([r, out]) as tf.SymbolicTensor, name: `student_${arch}` });
}

/** Whether a classifier (or any member of a seed ensemble) ends in the two-expert hierarchical head (architectures/index.ts). */
export function hasHierarchicalHead(model: tf.LayersModel): boolean {
  return model.layers.some((l) => l.getClassName() === HierarchicalExperts.className);
}

export interface DistillOptions extends Omit<FitOptions, 'teacherLogits'> {
  /** Warnings (student larger than teacher…) go here; they never fail the run. */
  warn?: (message: string) => void;
}

/** Distil `teacher` into `student` on `data` (DS1 beats). The student is trained in place and returned. */
export async function distill(teacher: tf.LayersModel, student: tf.LayersModel, data: TrainingSet, opts: DistillOptions): Promise<{ student: tf.LayersModel; losses: number[] }> {
  const tp = teacher.countParams(), sp = student.countParams();
  if (sp >= tp) opts.warn?.(`the student (${sp} parameters) is not smaller than the teacher (${tp} parameters); distilling anyway`);
  if (teacher.inputs.length !== student.inputs.length) {
    throw new CompressError(`student has ${student.inputs.length} inputs, the teacher ${teacher.inputs.length}`);
  }
  const teacherLogits = predictLogits(teacher, data.inputs);
  try {
    const losses = await fitLogits(logitsView(student), data, { ...opts, teacherLogits, alpha: opts.alpha ?? 0.5 });
    return { student, losses };
  } finally {
    teacherLogits.dispose();
  }
}
