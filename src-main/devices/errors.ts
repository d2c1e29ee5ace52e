import { EcgReviewError } from '../domain/errors.js';

/** A device, a push or a pairing that failed in an expected way; names the device (host:port) or file. */
export class DeviceError extends EcgReviewError {
  /** HTTP status the agent answered with, when the failure came from the agent. */
  readonly status?: number;
  constructor(message: string, input?: string, status?: number, options?: { cause?: unknown }) {
    super(message, input, options);
    this.status = status;
  }
}
