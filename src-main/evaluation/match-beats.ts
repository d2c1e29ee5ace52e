/**
 * Beat matching as ANSI/AAMI EC57 pairs beats: each detected beat with the nearest not-yet-matched reference beat
 * within a tolerance (150 ms in EC57). Used to score a run against its reference (services/metrics.ts) and to label
 * a detector's beats for training (model/dataset/beats.ts `labelDetections`).
 */

/** Greedy nearest matching of detected beats to reference beats within `tol` samples (both ascending). Returns, per detected beat, the reference index or -1. */
export function matchBeats(detected: ArrayLike<number>, reference: ArrayLike<number>, tol: number): Int32Array {
  const out = new Int32Array(detected.length).fill(-1);
  const used = new Uint8Array(reference.length);
  let j = 0;
  for (let i = 0; i < detected.length; i++) {
    const d = detected[i];
    while (j < reference.length && reference[j] < d - tol) j++;
    let best = -1, bestDist = Infinity;
    for (let k = j; k < reference.length && reference[k] <= d + tol; k++) {
      const dist = Math.abs(reference[k] - d);
      if (!used[k] && dist < bestDist) { best = k; bestDist = dist; }
    }
    if (best >= 0) { out[i] = best; used[best] = 1; }
  }
  return out;
}
