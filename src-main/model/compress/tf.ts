/** The compression code's TensorFlow.js: the shared engine's single namespace (see ../engine/tf.ts). */
export { tf } from '../engine/tf.js';
