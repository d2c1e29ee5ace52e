/**
 * The one TensorFlow.js namespace every module of ECG Review uses. Import `tf` from here, never from
 * '@tensorflow/tfjs' directly, so that there is a single tfjs-core engine (one kernel registry, one tensor
 * tracker) whichever backend `initEngine` picked: `@tensorflow/tfjs-node`, when installed, registers its
 * 'tensorflow' backend into this same core rather than bringing a second copy.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type { Tensor, Rank, LayersModel, Sequential, io } from '@tensorflow/tfjs';
