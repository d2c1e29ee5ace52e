/**
 * Beat sets (model/dataset) as the tensors a model's inputs take: every rank-3 input ([time, channels]) gets the
 * beat windows, every rank-2 input the per-beat feature vector — the two-input layout all our classifiers use.
 */
import type { BeatSet } from '../dataset/beats.js';
import { FEATURE_COUNT } from '../dataset/beats.js';
import { CompressError } from './errors.js';
import type { TrainingSet } from './fit.js';
import { tf } from './tf.js';

export function trainingSetOf(beats: BeatSet, model: tf.LayersModel): TrainingSet {
  const labels = new Int32Array(beats.n);
  for (let i = 0; i < beats.n; i++) {
    if (beats.labels[i] < 0) throw new CompressError(`beat ${i} of ${beats.records[beats.recordIndex[i]] ?? 'the set'} has no modelled class; train on labelled beats only`);
    labels[i] = beats.labels[i];
  }
  return { inputs: inputTensors(beats, model), labels };
}

export function inputTensors(beats: BeatSet, model: tf.LayersModel): tf.Tensor[] {
  return model.inputs.map((inp) => {
    const shape = inp.shape;
    if (shape.length === 3) {
      if (shape[1] !== beats.length || shape[2] !== beats.channels) {
        throw new CompressError(`model input ${inp.name} expects windows of [${shape[1]}, ${shape[2]}], the beats are [${beats.length}, ${beats.channels}]`);
      }
      return tf.tensor3d(beats.x, [beats.n, beats.length, beats.channels]);
    }
    if (shape.length === 2) {
      if (shape[1] !== FEATURE_COUNT) throw new CompressError(`model input ${inp.name} expects ${shape[1]} features, the beats have ${FEATURE_COUNT}`);
      return tf.tensor2d(beats.features, [beats.n, FEATURE_COUNT]);
    }
    throw new CompressError(`model input ${inp.name} has an unsupported shape ${JSON.stringify(shape)}`);
  });
}
