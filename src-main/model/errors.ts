import { EcgReviewError } from '../domain/errors.js';

/** A failure of the beat classifiers: bad model directory, incompatible metadata, unusable recording. */
export class ModelError extends EcgReviewError {}
