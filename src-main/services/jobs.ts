/**
 * Classification jobs: one worker thread per recording, progress streamed as events, cancellable at any time
 * (the worker is terminated), and a crashing worker turns into a failed job with a message instead of taking
 * the app down.
 */
import type { Worker } from 'node:worker_threads';
import type { JobSummary } from '../api/contract.js';
import { startWorker } from '../platform/worker.js';
import type { AdaptInput, AdaptOutput, ClassifyInput, ClassifyOutput } from './classify-recording.js';

export type WorkerMessage<O = ClassifyOutput> =
  | { type: 'progress'; progress: number; message: string }
  | { type: 'result'; out: O }
  | { type: 'error'; name: string; message: string; expected: boolean };

export class WorkerFailure extends Error {}

/** Run one classification in a worker. Rejects with WorkerFailure on error/crash; `cancel()` terminates it. */
export function runClassifyWorker(entry: URL, input: ClassifyInput, onProgress: (f: number, msg: string) => void): { done: Promise<ClassifyOutput | 'cancelled'>; cancel: () => void } {
  return runWorker<ClassifyOutput>(entry, input, onProgress, 'classification');
}

/** Adapt a model to a patient in a worker (the same entry as classification), as `runClassifyWorker` runs it. */
export function runAdaptWorker(entry: URL, input: AdaptInput, onProgress: (f: number, msg: string) => void): { done: Promise<AdaptOutput | 'cancelled'>; cancel: () => void } {
  return runWorker<AdaptOutput>(entry, input, onProgress, 'adaptation');
}

function runWorker<O>(entry: URL, input: ClassifyInput | AdaptInput, onProgress: (f: number, msg: string) => void, what: string): { done: Promise<O | 'cancelled'>; cancel: () => void } {
  let worker: Worker | undefined;
  let cancelled = false;
  let settled = false;
  let cancelFn: () => void = () => { cancelled = true; };
  const done = new Promise<O | 'cancelled'>((resolve, reject) => {
    const finish = (fn: () => void): void => { if (!settled) { settled = true; fn(); } };
    try {
      worker = startWorker(entry, input, { resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    } catch (e) {
      reject(new WorkerFailure(`could not start the ${what} worker: ${(e as Error).message}`));
      return;
    }
    cancelFn = () => { cancelled = true; void worker!.terminate(); finish(() => resolve('cancelled')); };
    worker.on('message', (m: WorkerMessage<O>) => {
      if (m.type === 'progress') onProgress(m.progress, m.message);
      else if (m.type === 'result') finish(() => resolve(m.out));
      else finish(() => reject(new WorkerFailure(m.message)));
    });
    worker.on('error', (e) => finish(() => reject(new WorkerFailure(`the ${what} worker crashed: ${e.message}`))));
    worker.on('exit', (code) => finish(() => (cancelled ? resolve('cancelled') : reject(new WorkerFailure(`the ${what} worker stopped unexpectedly (exit code ${code})`)))));
  });
  return { done, cancel: () => cancelFn() };
}

export function newJob(id: string, recordingIds: string[], modelId: string): JobSummary {
  return { id, kind: 'classify', state: 'running', recordingIds, modelId, progress: 0, message: 'starting', runIds: [] };
}
