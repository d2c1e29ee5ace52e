/**
 * Morphology consensus: a beat's V and F probabilities blended with those of the beats in the same recording whose
 * QRS complexes look most like it. Holter software has long classified by morphology clusters (one label per
 * template, reviewed once) because an ectopic focus repeats its shape: a beat that looks exactly like twenty beats
 * the model calls V is most likely V too, even when the model alone hesitates. It needs no labels, only the
 * recording's own beats, so it is part of the model's decision, fitted on DS1 like the decision offsets.
 *
 * Only the ventricular (V, F) share moves. N and S beats share one QRS shape — they differ in timing and P wave —
 * so averaging over QRS look-alikes would blur exactly what tells them apart (on DS1 out-of-fold predictions,
 * smoothing all four classes lowered the objective; smoothing V and F raised it).
 *
 * Neighbours are searched among the `span` beats on each side (causal: the `span` beats before), so the cost is
 * linear in the length of a 24-hour Holter, and slow drifts of the QRS shape over a day do not mix.
 */
import type { BeatSet } from './dataset/beats.js';
import type { WindowSpec } from './dataset/windows.js';
import { ModelError } from './errors.js';

export interface ConsensusSpec {
  /** Nearest beats averaged. */
  k: number;
  /** Weight of the beat's own probabilities (1 = no consensus). */
  alpha: number;
  /** Beats on each side (causal: before) searched for neighbours. */
  span: number;
  /** Neighbours only among earlier beats, so a live device can apply it as each beat arrives. */
  causal?: boolean;
}

/** The class order the models output (MODEL_CLASSES): only V and F move. */
const V = 2;
const F = 3;

/** Window samples compared: the QRS complex, 100 ms before the R peak to 150 ms after (or the window's end). */
export function qrsSpan(w: WindowSpec): { from: number; to: number } {
  return { from: Math.max(0, w.before - Math.round(0.1 * w.fs)), to: w.before + Math.min(w.after, Math.round(0.15 * w.fs)) };
}

/**
 * The QRS span's window samples, nearest the R peak first: distances are summed in this order so that the partial
 * sum grows fastest where beats differ most, and a far beat is dropped after a few samples (`distanceBelow`).
 */
function qrsOrder(w: WindowSpec): Int32Array {
  const { from, to } = qrsSpan(w);
  return Int32Array.from({ length: to - from }, (_, t) => from + t).sort((a, b) => Math.abs(a - w.before) - Math.abs(b - w.before) || a - b);
}

export function checkConsensusSpec(c: ConsensusSpec, where: string): void {
  if (!Number.isInteger(c.k) || c.k < 1 || !Number.isInteger(c.span) || c.span < c.k || !(c.alpha >= 0 && c.alpha <= 1)) {
    throw new ModelError(`consensus needs integers k ≥ 1 and span ≥ k and 0 ≤ alpha ≤ 1, got ${JSON.stringify(c)}`, where);
  }
}

/**
 * Squared distance of a[ao..ao+D) and b[bo..bo+D), summed in order; stops early (returning a partial sum above
 * `limit`) once it exceeds `limit`, because such a beat cannot be among the nearest. The partial sums are those of
 * the full sum, so a beat that is kept gets exactly the distance a full pass gives.
 */
function distanceBelow(a: Float32Array, ao: number, b: Float32Array, bo: number, D: number, limit: number): number {
  let d = 0;
  let t = 0;
  while (t < D) {
    const end = Math.min(D, t + 8);
    for (; t < end; t++) { const e = a[ao + t] - b[bo + t]; d += e * e; }
    if (d > limit) return d;
  }
  return d;
}

/**
 * Offer beat `j` at squared distance `d` to a list of the nearest (bestD/bestJ from offset `o`, `m` held, at most
 * `k`, nearest first). It is kept when nearer than the k-th, after any equal distance already held, so the earlier
 * offered wins a tie: the one rule of the offline, causal and streaming searches. Returns the new count.
 */
function keepNearest(bestD: Float64Array, bestJ: Int32Array, o: number, m: number, k: number, d: number, j: number): number {
  if (m === k && d >= bestD[o + k - 1]) return m;
  let p = m < k ? m++ : k - 1;
  while (p > 0 && bestD[o + p - 1] > d) { bestD[o + p] = bestD[o + p - 1]; bestJ[o + p] = bestJ[o + p - 1]; p--; }
  bestD[o + p] = d; bestJ[o + p] = j;
  return m;
}

/**
 * The k nearest beats of every beat (squared distance of channel 0 over the QRS span), among beats of the same
 * record within `span` positions (before only when causal). -1 where fewer exist. [beat][k]
 */
export function morphologyNeighbours(s: BeatSet, w: WindowSpec, k: number, span: number, causal = false): Int32Array {
  const { from, to } = qrsSpan(w);
  const D = to - from;
  const L = s.length;
  const C = s.channels;
  const n = s.n;
  const order = qrsOrder(w);
  const f = new Float32Array(n * D);
  for (let i = 0; i < n; i++) for (let t = 0; t < D; t++) f[i * D + t] = s.x[(i * L + order[t]) * C];
  if (!causal) return symmetricNeighbours(f, D, s.recordIndex, n, k, span);
  const out = new Int32Array(n * k).fill(-1);
  const bestD = new Float64Array(k);
  const bestJ = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    let m = 0; // neighbours held, sorted by distance
    for (let j = Math.max(0, i - span); j < i; j++) {
      if (s.recordIndex[j] !== s.recordIndex[i]) continue;
      m = keepNearest(bestD, bestJ, 0, m, k, distanceBelow(f, i * D, f, j * D, D, m === k ? bestD[k - 1] : Infinity), j);
    }
    for (let q = 0; q < m; q++) out[i * k + q] = bestJ[q];
  }
  return out;
}

/**
 * The offline search with each pair's distance computed once, for both beats' lists. Each list is still offered its
 * candidates in ascending order (earlier beats while they are scanned, later ones during its own scan) and keeps
 * them by the same rule, so ties resolve as in the one-sided scan and the result is the same.
 */
function symmetricNeighbours(f: Float32Array, D: number, recordIndex: ArrayLike<number>, n: number, k: number, span: number): Int32Array {
  const bestD = new Float64Array(n * k);
  const bestJ = new Int32Array(n * k).fill(-1);
  const held = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const hi = Math.min(n - 1, i + span);
    const ri = recordIndex[i];
    for (let j = i + 1; j <= hi; j++) {
      if (recordIndex[j] !== ri) continue;
      // A pair farther than both lists' k-th nearest cannot enter either.
      const limit = held[i] === k && held[j] === k ? Math.max(bestD[i * k + k - 1], bestD[j * k + k - 1]) : Infinity;
      const d = distanceBelow(f, i * D, f, j * D, D, limit);
      if (d > limit) continue;
      held[i] = keepNearest(bestD, bestJ, i * k, held[i], k, d, j);
      held[j] = keepNearest(bestD, bestJ, j * k, held[j], k, d, i);
    }
  }
  return bestJ;
}

/**
 * Blend each beat's V and F probabilities with the mean over its first k neighbours (`morphologyNeighbours`,
 * `searched` per beat, nearest first), rescaling N and S to fill the rest in their own ratio. Returns new
 * probabilities [beat][class]; the input is not changed.
 */
export function applyConsensus(probs: Float32Array, classes: number, neighbours: Int32Array, k: number, alpha: number, searched = k): Float32Array {
  if (classes !== 4) throw new ModelError(`consensus expects the four classes N, S, V, F, got ${classes}`);
  const n = probs.length / classes;
  const kk = searched;
  if (neighbours.length !== n * kk) throw new ModelError(`consensus: ${neighbours.length} neighbour slots for ${n} beats × ${kk}`);
  const out = new Float32Array(probs.length);
  for (let i = 0; i < n; i++) {
    let v = 0;
    let fz = 0;
    let c = 0;
    for (let q = 0; q < k; q++) {
      const j = neighbours[i * kk + q];
      if (j < 0) break;
      v += probs[j * 4 + V];
      fz += probs[j * 4 + F];
      c++;
    }
    blend(probs, i * 4, v, fz, c, alpha, out);
  }
  return out;
}

/** out[o..o+3] = the beat's probabilities at `o` with V, F blended with neighbour sums `v`, `fz` over `c` beats. */
function blend(probs: ArrayLike<number>, o: number, v: number, fz: number, c: number, alpha: number, out: Float32Array): void {
  const pv = c ? alpha * probs[o + V] + ((1 - alpha) * v) / c : probs[o + V];
  const pf = c ? alpha * probs[o + F] + ((1 - alpha) * fz) / c : probs[o + F];
  const ns = probs[o] + probs[o + 1];
  const rest = Math.max(0, 1 - pv - pf);
  out[o] = ns > 0 ? (rest * probs[o]) / ns : rest / 2;
  out[o + 1] = ns > 0 ? (rest * probs[o + 1]) / ns : rest / 2;
  out[o + V] = pv;
  out[o + F] = pf;
}

/**
 * The consensus of a stream of beats, as a device applies it: each beat against the `span` beats before it, kept
 * in a ring with their own (pre-consensus) probabilities. Fed the beats of a recording in order, it gives exactly
 * `morphologyConsensus` with `causal: true`, however the beats are split into calls.
 */
export class ConsensusStream {
  private readonly qrs: { from: number; to: number };
  private readonly order: Int32Array;
  private readonly feats: Float32Array;
  private readonly probs: Float32Array;
  private seen = 0;

  constructor(private readonly spec: ConsensusSpec, w: WindowSpec) {
    checkConsensusSpec(spec, 'consensus stream');
    this.qrs = qrsSpan(w);
    this.order = qrsOrder(w);
    this.feats = new Float32Array(spec.span * (this.qrs.to - this.qrs.from));
    this.probs = new Float32Array(spec.span * 4);
  }

  /** Consensus probabilities of the set's beats, which follow the beats of earlier calls in time. */
  apply(s: BeatSet, probs: Float32Array): Float32Array {
    if (probs.length !== s.n * 4) throw new ModelError(`consensus expects the four classes N, S, V, F, got ${probs.length / Math.max(1, s.n)}`);
    const { from } = this.qrs;
    const D = this.qrs.to - from;
    const { k, span, alpha } = this.spec;
    const L = s.length;
    const C = s.channels;
    const out = new Float32Array(probs.length);
    const f = new Float32Array(D);
    const bestD = new Float64Array(k);
    const bestJ = new Int32Array(k);
    for (let i = 0; i < s.n; i++) {
      for (let t = 0; t < D; t++) f[t] = s.x[(i * L + this.order[t]) * C];
      // Oldest first, as morphologyNeighbours scans, so that ties resolve the same way.
      const held = Math.min(this.seen, span);
      let m = 0;
      for (let a = 0; a < held; a++) {
        const r = (this.seen - held + a) % span;
        m = keepNearest(bestD, bestJ, 0, m, k, distanceBelow(f, 0, this.feats, r * D, D, m === k ? bestD[k - 1] : Infinity), r);
      }
      let v = 0;
      let fz = 0;
      for (let q = 0; q < m; q++) { v += this.probs[bestJ[q] * 4 + V]; fz += this.probs[bestJ[q] * 4 + F]; }
      blend(probs, i * 4, v, fz, m, alpha, out);
      const w = this.seen % span;
      this.feats.set(f, w * D);
      this.probs.set(probs.subarray(i * 4, i * 4 + 4), w * 4);
      this.seen++;
    }
    return out;
  }
}

/** `applyConsensus` over `morphologyNeighbours` of `s` with `spec`. */
export function morphologyConsensus(probs: Float32Array, s: BeatSet, w: WindowSpec, spec: ConsensusSpec): Float32Array {
  return applyConsensus(probs, probs.length / s.n, morphologyNeighbours(s, w, spec.k, spec.span, spec.causal), spec.k, spec.alpha);
}
