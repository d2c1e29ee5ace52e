/** Worker-thread entry of a classification: runs `classifyRecording`, streams progress, transfers the result. */
import { parentPort, workerData } from 'node:worker_threads';
import { isEcgReviewError } from '../domain/errors.js';
import { classifyRecording, type ClassifyInput } from './classify-recording.js';

const input = workerData as ClassifyInput;
try {
  const out = await classifyRecording(input, (progress, message) => parentPort!.postMessage({ type: 'progress', progress, message }));
  const buffers = new Set([out.samples.buffer, out.predicted.buffer, out.probs.buffer] as ArrayBuffer[]);
  parentPort!.postMessage({ type: 'result', out }, [...buffers]);
} catch (e) {
  const err = e as Error;
  parentPort!.postMessage({ type: 'error', name: err?.name ?? 'Error', message: err?.message ?? String(e), expected: isEcgReviewError(e) });
}
