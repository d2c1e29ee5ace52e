import { EcgReviewError } from '../domain/errors.js';

/** A problem with the inputs of an evaluation (mismatched lengths, empty folds, unusable annotation files…). */
export class EvaluationError extends EcgReviewError {}
