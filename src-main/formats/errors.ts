import { EcgReviewError } from '../domain/errors.js';

/** A file that cannot be read as the format it claims (or any format): always names the file and the problem. */
export class FormatError extends EcgReviewError {
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(problem, file, options);
  }
}
