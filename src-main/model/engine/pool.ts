/**
 * Parallel inference over worker threads. tfjs-backend-wasm runs single-threaded in Node, so to use every
 * core for classifying a recording's beats we run one engine per worker thread, each with its own copy of
 * the model, and split each batch across them. Inputs travel as transferable Float32Arrays.
 *
 *   const pool = await startInferencePool({ dir: 'models/cnn' }, { workers: 2 });
 *   const probs = await pool.predict([beats, rr], beatCount); // [beatCount × classes], row-major
 *   await pool.close();
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { startWorker } from '../../platform/worker.js';
import { EngineError } from './errors.js';
import type { BackendPreference, EngineInfo } from './backend.js';
import type { tf } from './tf.js';

/** Where the model comes from: a saved directory (model.json + weights) or in-memory artifacts. */
export type ModelSource = { dir: string } | { artifacts: tf.io.ModelArtifacts };

export interface InferencePoolOptions {
  /** Worker threads (default: available cores, at least 1). */
  workers?: number;
  /** Backend each worker initialises (default 'wasm'; 'node' uses tfjs-node when installed). */
  prefer?: BackendPreference;
  /** Largest batch a worker feeds the model at once (default 2048). */
  maxBatch?: number;
}

export interface InferencePool {
  /** Engine of the workers, for display. */
  readonly info: EngineInfo;
  readonly workers: number;
  /** Per-example shapes of the model's inputs (without the batch dimension), and the output width. */
  readonly inputShapes: number[][];
  readonly outWidth: number;
  /**
   * Run the model on `count` examples. `inputs[i]` holds the i-th model input for all examples, row-major
   * (e.g. beats [count × 256] and RR features [count × 4]). The arrays are copied, not consumed. Returns the
   * first output, [count × outWidth].
   */
  predict(inputs: Float32Array[], count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

interface Slot { worker: Worker; pending: Map<number, { resolve: (a: Float32Array) => void; reject: (e: Error) => void }> }

export async function startInferencePool(source: ModelSource, options: InferencePoolOptions = {}): Promise<InferencePool> {
  const n = Math.max(1, options.workers ?? availableParallelism());
  const data = {
    prefer: options.prefer ?? 'wasm',
    maxBatch: options.maxBatch ?? 2048,
    ...('dir' in source ? { dir: source.dir } : { artifacts: source.artifacts }),
  };
  const entry = new URL('./pool-worker.ts', import.meta.url);
  const slots: Slot[] = [];
  const ready: Promise<{ ready: EngineInfo; inputShapes: number[][]; outWidth: number }>[] = [];
  for (let i = 0; i < n; i++) {
    const worker = startWorker(entry, data);
    const slot: Slot = { worker, pending: new Map() };
    slots.push(slot);
    ready.push(new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (m: { ready?: EngineInfo; id?: number; output?: Float32Array; error?: string; inputShapes?: number[][]; outWidth?: number }) => {
        if (m.ready) {
          started = true;
          resolve(m as { ready: EngineInfo; inputShapes: number[][]; outWidth: number });
          return;
        }
        if (m.id === -1) {
          reject(new EngineError(`inference worker failed to start: ${m.error}`, 'dir' in source ? source.dir : undefined));
          return;
        }
        const p = slot.pending.get(m.id!);
        if (!p) return;
        slot.pending.delete(m.id!);
        if (m.error !== undefined) p.reject(new EngineError(`inference worker: ${m.error}`));
        else p.resolve(m.output!);
      });
      const fail = (e: Error): void => {
        const err = new EngineError(`inference worker died: ${e.message}`);
        if (!started) reject(err);
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => { if (code !== 0) fail(new Error(`exit code ${code}`)); });
    }));
  }
  let first: { ready: EngineInfo; inputShapes: number[][]; outWidth: number };
  try {
    first = (await Promise.all(ready))[0];
  } catch (e) {
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw e;
  }
  const perExample = first.inputShapes.map((s) => s.reduce((a, b) => a * b, 1));
  let nextId = 0;
  let rr = 0; // round-robin start, so consecutive small requests alternate workers

  const send = (slot: Slot, inputs: Float32Array[], count: number): Promise<Float32Array> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, inputs, count }, inputs.map((a) => a.buffer as ArrayBuffer));
    });

  return {
    info: first.ready,
    workers: n,
    inputShapes: first.inputShapes,
    outWidth: first.outWidth,
    async predict(inputs, count) {
      if (inputs.length !== perExample.length) {
        throw new EngineError(`model takes ${perExample.length} inputs, got ${inputs.length}`);
      }
      inputs.forEach((a, i) => {
        if (a.length !== count * perExample[i]) {
          throw new EngineError(`input ${i} has ${a.length} values, expected ${count} × ${perExample[i]}`);
        }
      });
      const out = new Float32Array(count * first.outWidth);
      if (count === 0) return out;
      // Contiguous, nearly equal shares; small requests go to one worker (a round trip costs more than it saves).
      const parts = Math.min(slots.length, Math.max(1, Math.floor(count / 64)));
      const jobs: Promise<void>[] = [];
      for (let p = 0, start = 0; p < parts; p++) {
        const len = Math.floor(count / parts) + (p < count % parts ? 1 : 0);
        const s = start;
        const chunk = inputs.map((a, i) => a.slice(s * perExample[i], (s + len) * perExample[i]));
        jobs.push(send(slots[(rr + p) % slots.length], chunk, len).then((y) => out.set(y, s * first.outWidth)));
        start += len;
      }
      rr = (rr + parts) % slots.length;
      await Promise.all(jobs);
      return out;
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
