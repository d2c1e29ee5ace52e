// Boot file for worker_threads that run TypeScript sources: registers tsx in the worker, then imports the
// entry named in workerData.__entry. Used when the code runs from source (CLI, tests); bundled builds pass
// their compiled entry instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
