/**
 * Worker-thread entry of a classification: runs `classifyRecording` (one segment), or `adaptToPatient` (the
 * adaptation before a recording's segments), streams progress, transfers the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isEcgReviewError } from '../domain/errors.js';
import { adaptToPatient, classifyRecording, type AdaptInput, type ClassifyInput } from './classify-recording.js';

const input = workerData as ClassifyInput | AdaptInput;
const progress = (p: number, message: string): void => parentPort!.postMessage({ type: 'progress', progress: p, message });
try {
  if ('task' in input && input.task === 'adapt') {
    parentPort!.postMessage({ type: 'result', out: await adaptToPatient(input, progress) });
  } else {
    const out = await classifyRecording(input as ClassifyInput, progress);
    const buffers = new Set([out.samples.buffer, out.predicted.buffer, out.probs.buffer] as ArrayBuffer[]);
    parentPort!.postMessage({ type: 'result', out }, [...buffers]);
  }
} catch (e) {
  const err = e as Error;
  parentPort!.postMessage({ type: 'error', name: err?.name ?? 'Error', message: err?.message ?? String(e), expected: isEcgReviewError(e) });
}
