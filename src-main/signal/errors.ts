import { EcgReviewError } from '../domain/errors.js';

/**
 * Bad input to the signal layer (a sampling rate that is not a positive finite number, leads of unequal
 * length, a window that does not fit…). The message names the parameter or input and what is wrong.
 */
export class SignalError extends EcgReviewError {}

/** Throw a SignalError unless `fs` is a usable sampling rate. */
export function checkRate(fs: number, what = 'sampling rate'): void {
  if (!Number.isFinite(fs) || fs <= 0) throw new SignalError(`${what} must be a positive number of Hz, got ${String(fs)}`);
}
