/**
 * Worker-thread entry that indexes a long recording off the main thread: the min/max block pyramid for
 * overviews and the reference beats (reading 100k EDF+ annotations takes seconds on a 24 h Holter).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openRecording } from '../formats/index.js';
import { referenceBeats } from './classify-recording.js';
import { buildPyramid } from './waveform.js';

const { path } = workerData as { path: string };
try {
  const source = await openRecording(path);
  const ref = await referenceBeats(source);
  parentPort!.postMessage({ type: 'reference', ref }, [ref.samples.buffer, ref.labels.buffer, ref.beatAt.buffer] as ArrayBuffer[]);
  const pyramid = await buildPyramid(source);
  await source.close();
  parentPort!.postMessage({ type: 'pyramid', pyramid }, pyramid!.flatMap((p) => [p.min.buffer, p.max.buffer]) as ArrayBuffer[]);
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message });
}
