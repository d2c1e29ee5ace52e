/**
 * Root of every error ECG Review raises on purpose. Each layer (formats, signal, evaluation, model, devices,
 * app) subclasses it so that adapters (CLI, IPC, HTTP) can tell an expected, user-facing failure — printed as
 * one line — from a bug, which keeps its stack trace.
 */
export class EcgReviewError extends Error {
  /** The file or input the problem is about, when there is one. */
  readonly input?: string;
  constructor(message: string, input?: string, options?: { cause?: unknown }) {
    super(input && !message.includes(input) ? `${input}: ${message}` : message, options);
    this.name = new.target.name;
    this.input = input;
  }
}

export function isEcgReviewError(e: unknown): e is EcgReviewError {
  return e instanceof EcgReviewError;
}
