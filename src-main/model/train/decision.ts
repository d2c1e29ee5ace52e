/**
 * Decision priors: per-class offsets added to log-probabilities before argmax, chosen on patient-wise
 * validation predictions (DS1 only). Training reweights classes to learn rare ones at all; the offsets then
 * set the operating point on patients the model has not seen. The objective is the macro-F1 over N, S and V —
 * the same score that early stopping uses (F is too rare per validation set to steer on). The search range is
 * kept to [-1, 3]: a handful of validation patients cannot justify a larger shift of the priors.
 */
import { applyConsensus, morphologyNeighbours, type ConsensusSpec } from '../consensus.js';
import { MODEL_CLASSES, type BeatSet } from '../dataset/beats.js';
import type { WindowSpec } from '../dataset/windows.js';
import { decide } from './train.js';

function fBeta(tp: number, fp: number, fn: number, beta: number): number {
  const b2 = beta * beta;
  const d = (1 + b2) * tp + b2 * fn + fp;
  return d > 0 ? ((1 + b2) * tp) / d : 0;
}

/** The validation objective for prior selection (0–1, higher is better). */
export function decisionObjective(labels: ArrayLike<number>, pred: ArrayLike<number>): number {
  const K = MODEL_CLASSES.length;
  const tp = new Array<number>(K).fill(0);
  const fp = new Array<number>(K).fill(0);
  const fn = new Array<number>(K).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const r = labels[i];
    if (r < 0) continue;
    const p = pred[i];
    if (r === p) tp[r]++;
    else { fn[r]++; fp[p]++; }
  }
  return (fBeta(tp[0], fp[0], fn[0], 1) + fBeta(tp[1], fp[1], fn[1], 1) + fBeta(tp[2], fp[2], fn[2], 1)) / 3;
}

/** Coordinate search (three sweeps) of offsets for S, V, F in [-1, 3] (N fixed at 0). */
export function chooseDecisionBias(probs: Float32Array, labels: ArrayLike<number>): { bias: number[]; objective: number } {
  const bias = MODEL_CLASSES.map(() => 0);
  let best = decisionObjective(labels, decide(probs, bias));
  const grid: number[] = [];
  for (let v = -1; v <= 3.0001; v += 0.25) grid.push(Math.round(v * 100) / 100);
  for (let sweep = 0; sweep < 3; sweep++) {
    for (let k = 1; k < MODEL_CLASSES.length; k++) {
      let bk = bias[k];
      for (const v of grid) {
        bias[k] = v;
        const o = decisionObjective(labels, decide(probs, bias));
        if (o > best + 1e-9) { best = o; bk = v; }
      }
      bias[k] = bk;
    }
  }
  return { bias, objective: best };
}

/**
 * The morphology-consensus grid searched on DS1 (model/consensus.ts). The beat's own weight stays ≥ 0.25 so that a
 * lone ectopic beat of a shape seen nowhere else in the recording keeps its own evidence.
 */
export const CONSENSUS_GRID = { k: [10, 20, 40], alpha: [0.25, 0.5, 0.75], span: 500 } as const;

/**
 * Choose the consensus (k, alpha) together with the decision offsets on the same out-of-fold predictions: for each
 * grid point the offsets are re-chosen, and the best objective wins. No consensus (the plain offsets) competes too,
 * so the result is never worse on DS1 than without it.
 */
export function chooseConsensusAndBias(probs: Float32Array, labels: ArrayLike<number>, s: BeatSet, w: WindowSpec): { consensus?: ConsensusSpec; bias: number[]; objective: number; withoutConsensus: number } {
  const plain = chooseDecisionBias(probs, labels);
  let best: { consensus?: ConsensusSpec; bias: number[]; objective: number } = plain;
  const kmax = Math.max(...CONSENSUS_GRID.k);
  const nb = morphologyNeighbours(s, w, kmax, CONSENSUS_GRID.span, w.causal === true);
  for (const k of CONSENSUS_GRID.k) {
    for (const alpha of CONSENSUS_GRID.alpha) {
      const c = chooseDecisionBias(applyConsensus(probs, MODEL_CLASSES.length, nb, k, alpha, kmax), labels);
      if (c.objective > best.objective + 1e-9) best = { ...c, consensus: { k, alpha, span: CONSENSUS_GRID.span, ...(w.causal ? { causal: true } : {}) } };
    }
  }
  return { ...best, withoutConsensus: plain.objective };
}
