/** Start a worker thread on a TypeScript (or JavaScript) module, whether the code runs from source or built. */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startWorker(entry: URL, workerData: unknown, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  if (entry.pathname.endsWith('.ts')) {
    return new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), {
      ...options,
      workerData: { ...(workerData as object), __entry: entry.href },
    });
  }
  return new Worker(entry, { ...options, workerData });
}
