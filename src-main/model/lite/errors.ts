import { ModelError } from '../errors.js';

/** A model the lite runtime cannot run exactly as TensorFlow.js would: unsupported layer or config, bad weights or inputs. */
export class LiteModelError extends ModelError {}
