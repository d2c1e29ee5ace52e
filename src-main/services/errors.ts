import { EcgReviewError } from '../domain/errors.js';

/** Expected failures of the review app's service layer: unknown ids, paths outside the data directory, a job that failed. */
export class AppError extends EcgReviewError {}
