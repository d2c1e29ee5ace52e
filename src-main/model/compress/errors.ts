import { EcgReviewError } from '../../domain/errors.js';

/** A compression request that cannot be carried out: bad ratio, not a model directory, already quantized… */
export class CompressError extends EcgReviewError {}
