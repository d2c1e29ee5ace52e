import { EcgReviewError } from '../domain/errors.js';

/**
 * Bad input to the rhythm layer: beat times that do not ascend, labels that do not match the beats, a sampling
 * rate or setting out of range. The message names the input and what is wrong with it.
 */
export class RhythmError extends EcgReviewError {}
