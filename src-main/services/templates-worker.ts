/** Worker-thread entry: morphology templates of a long recording (reads the whole lead; seconds on a 24 h Holter). */
import { parentPort, workerData } from 'node:worker_threads';
import { openRecording } from '../formats/index.js';
import { groupTemplates } from './templates.js';

const { path, beats, labels } = workerData as { path: string; beats: Int32Array; labels: string };
try {
  const source = await openRecording(path);
  const groups = await groupTemplates(source, beats, labels);
  await source.close();
  parentPort!.postMessage({ type: 'result', groups });
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message });
}
