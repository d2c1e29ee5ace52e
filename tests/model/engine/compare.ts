/** Run the same computation on two tfjs backends and measure how far apart the results are. */
import { tf } from '../../../src-main/model/engine/tf.js';
import { initEngine, type BackendPreference } from '../../../src-main/model/engine/backend.js';

/** Evaluate `f` (which builds its tensors from plain arrays) on `backend`, returning copies of the outputs. */
export async function on(backend: BackendPreference, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await initEngine({ prefer: backend });
  // Read the values outside tidy: tidy walks whatever its callback returns, element by element for arrays.
  const ts = tf.tidy(() => {
    const r = f();
    return Array.isArray(r) ? r : [r];
  });
  const out = ts.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(ts);
  return out;
}

/** max |a−b| / max |b| (b is the reference); 0 when both are all-zero. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

/** Deterministic values in [-0.5, 0.5): the same inputs on every backend and run. */
export function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}
