/**
 * The worker-thread inference pool gives the same class probabilities as the model run in this thread, from a
 * saved directory and from in-memory artifacts, for batches split across workers and for single beats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../../src-main/model/engine/tf.js';
import { initEngine } from '../../../src-main/model/engine/backend.js';
import { directoryHandler, modelToArtifacts, readModelDirectory } from '../../../src-main/model/engine/io.js';
import { startInferencePool } from '../../../src-main/model/engine/pool.js';
import { EngineError } from '../../../src-main/model/engine/errors.js';
import { baselineCnn, syntheticBatch, CLASSES } from './tiny-models.js';
import { relativeError } from './compare.js';

const LEN = 128;
let dir: string;
let model: tf.LayersModel;

beforeAll(async () => {
  await initEngine({ prefer: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'ecg-engine-pool-'));
  model = baselineCnn(3, LEN);
  await model.save(directoryHandler(dir));
});
afterAll(async () => {
  model.dispose();
  await rm(dir, { recursive: true, force: true });
});

function local(b: { beats: Float32Array; rr: Float32Array }, n: number): Float32Array {
  const y = tf.tidy(() => model.predict([tf.tensor3d(b.beats, [n, LEN, 1]), tf.tensor2d(b.rr, [n, 4])]) as tf.Tensor);
  const out = Float32Array.from(y.dataSync());
  y.dispose();
  return out;
}

describe('model directory round trip', () => {
  it('readModelDirectory returns the weights that were saved', async () => {
    const a = await readModelDirectory(dir);
    expect(a.weightSpecs!.length).toBe(model.getWeights().length);
    const total = model.getWeights().reduce((s, w) => s + w.size * 4, 0);
    expect((a.weightData as ArrayBuffer).byteLength).toBe(total);
  });

  it('names the file when model.json is not a layers model', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'ecg-engine-bad-'));
    await writeFile(join(bad, 'model.json'), '{"hello": 1}');
    await expect(readModelDirectory(bad)).rejects.toThrow(EngineError);
    await expect(readModelDirectory(bad)).rejects.toThrow(/model\.json/);
    await rm(bad, { recursive: true, force: true });
  });
});

describe('inference pool', () => {
  it('two workers loading the saved directory agree with in-thread prediction', async () => {
    const pool = await startInferencePool({ dir }, { workers: 2, maxBatch: 100 });
    try {
      expect(pool.info.backend).toBe('wasm');
      expect(pool.inputShapes).toEqual([[LEN, 1], [4]]);
      expect(pool.outWidth).toBe(CLASSES);
      const n = 301; // odd split, and more than maxBatch per worker
      const b = syntheticBatch(n, 5, LEN);
      const got = await pool.predict([b.beats, b.rr], n);
      const ref = local(b, n);
      expect(got.length).toBe(n * CLASSES);
      expect(relativeError(got, ref)).toBeLessThan(1e-5);
      // Inputs are copied, not detached by the transfer.
      expect(b.beats.length).toBe(n * LEN);
      // Single beat.
      const one = syntheticBatch(1, 6, LEN);
      expect(relativeError(await pool.predict([one.beats, one.rr], 1), local(one, 1))).toBeLessThan(1e-5);
      await expect(pool.predict([b.beats], n)).rejects.toThrow(/2 inputs/);
    } finally {
      await pool.close();
    }
  });

  it('loads from in-memory artifacts', async () => {
    const pool = await startInferencePool({ artifacts: await modelToArtifacts(model) }, { workers: 1 });
    try {
      const b = syntheticBatch(40, 8, LEN);
      expect(relativeError(await pool.predict([b.beats, b.rr], 40), local(b, 40))).toBeLessThan(1e-5);
    } finally {
      await pool.close();
    }
  });

  it('fails with an EngineError naming the directory when there is no model', async () => {
    await expect(startInferencePool({ dir: join(dir, 'nope') }, { workers: 1 })).rejects.toThrow(/nope/);
  });
});
