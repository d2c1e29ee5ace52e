import { EcgReviewError } from '../../domain/errors.js';

/** A failure of the TensorFlow.js engine layer: no usable backend, an unreadable model, a dead worker. */
export class EngineError extends EcgReviewError {}
