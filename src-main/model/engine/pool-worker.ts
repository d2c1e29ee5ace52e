/**
 * Worker thread of the inference pool (pool.ts): initialises its own tfjs engine (wasm is single-threaded,
 * so parallelism comes from one engine per thread), loads the model once, then answers predict requests.
 * Protocol: → { id, inputs: Float32Array[], count }  ← { id, output: Float32Array } | { id, error }.
 * The first message it sends is { ready: EngineInfo } or { id: -1, error }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { tf } from './tf.js';
import { initEngine, type BackendPreference } from './backend.js';
import { loadModelFromArtifacts, readModelDirectory } from './io.js';
// The product's custom layers (attention, transformer) must be registered before a model.json is parsed.
import '../architectures/layers.js';

interface PoolWorkerData { prefer: BackendPreference; dir?: string; artifacts?: tf.io.ModelArtifacts; maxBatch: number }
interface Request { id: number; inputs: Float32Array[]; count: number }

const data = workerData as PoolWorkerData;
const port = parentPort!;

try {
  const info = await initEngine({ prefer: data.prefer });
  const artifacts = data.artifacts ?? (await readModelDirectory(data.dir!));
  const model = await loadModelFromArtifacts(artifacts);
  const shapes = model.inputs.map((i) => i.shape.slice(1) as number[]);
  const perExample = shapes.map((s) => s.reduce((a, b) => a * (b ?? 1), 1));
  const outWidth = (model.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);

  const predict = (inputs: Float32Array[], count: number): Float32Array => {
    const out = new Float32Array(count * outWidth);
    // Sub-batches bound the wasm heap a huge request would need.
    for (let start = 0; start < count; start += data.maxBatch) {
      const n = Math.min(data.maxBatch, count - start);
      const y = tf.tidy(() => {
        const xs = inputs.map((v, i) => tf.tensor(v.subarray(start * perExample[i], (start + n) * perExample[i]), [n, ...shapes[i]]));
        return model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
      });
      out.set(y.dataSync(), start * outWidth);
      y.dispose();
    }
    return out;
  };

  port.on('message', (m: Request) => {
    try {
      const output = predict(m.inputs, m.count);
      port.postMessage({ id: m.id, output }, [output.buffer as ArrayBuffer]);
    } catch (e) {
      port.postMessage({ id: m.id, error: (e as Error).message });
    }
  });
  port.postMessage({ ready: info, inputShapes: shapes, outWidth });
} catch (e) {
  port.postMessage({ id: -1, error: (e as Error).message });
}
