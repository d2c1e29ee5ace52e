/**
 * Decision priors: per-class offsets added to log-probabilities before argmax, chosen on patient-wise
 * validation predictions (DS1 only). Training reweights classes to learn rare ones at all; the offsets then
 * set the operating point on patients the model has not seen. The objective is the macro-F1 over N, S and V —
 * the same score that early stopping uses (F is too rare per validation set to steer on). The search range is
 * kept to [-1, 3]: a handful of validation patients cannot justify a larger shift of the priors.
 */
import { applyConsensus, morphologyNeighbours, type ConsensusSpec } from '../consensus.js';
import type { AamiClass } from '../../domain/aami.js';
import { MODEL_CLASSES, type BeatSet } from '../dataset/beats.js';
import type { WindowSpec } from '../dataset/windows.js';
import { decide } from './train.js';

function fBeta(tp: number, fp: number, fn: number, beta: number): number {
  const b2 = beta * beta;
  const d = (1 + b2) * tp + b2 * fn + fp;
  return d > 0 ? ((1 + b2) * tp) / d : 0;
}

/** Per class: reference beats, beats called that class, and beats both (labels < 0 are left out). */
function classCounts(labels: ArrayLike<number>, pred: ArrayLike<number>): { ref: number[]; called: number[]; hit: number[] } {
  const K = MODEL_CLASSES.length;
  const ref = new Array<number>(K).fill(0);
  const called = new Array<number>(K).fill(0);
  const hit = new Array<number>(K).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const r = labels[i];
    if (r < 0) continue;
    ref[r]++;
    called[pred[i]]++;
    if (pred[i] === r) hit[r]++;
  }
  return { ref, called, hit };
}

type ClassCounts = ReturnType<typeof classCounts>;

function objectiveOf({ ref, called, hit }: ClassCounts): number {
  const f1 = (k: number): number => fBeta(hit[k], called[k] - hit[k], ref[k] - hit[k], 1);
  return (f1(0) + f1(1) + f1(2)) / 3;
}

/** The validation objective for prior selection (0–1, higher is better). */
export function decisionObjective(labels: ArrayLike<number>, pred: ArrayLike<number>): number {
  return objectiveOf(classCounts(labels, pred));
}

/**
 * Operating-point floors, in percent, that the chosen offsets must hold on the same predictions: e.g. N +P ≥ 99.2
 * ("a beat called normal is normal", what a Holter reviewer who only looks at flagged beats relies on). Among the
 * offsets that hold them the objective decides; when none does, the smallest total shortfall wins.
 */
export interface DecisionFloors {
  se?: Partial<Record<AamiClass, number>>;
  ppv?: Partial<Record<AamiClass, number>>;
}

/** Points (percent) by which a decision falls short of the floors; 0 when it holds them all. */
export function floorShortfall(labels: ArrayLike<number>, pred: ArrayLike<number>, floors: DecisionFloors): number {
  return shortfallOf(classCounts(labels, pred), floors);
}

function shortfallOf({ ref, called, hit }: ClassCounts, floors: DecisionFloors): number {
  let short = 0;
  for (const [key, per] of [['se', ref], ['ppv', called]] as const) {
    for (const [c, floor] of Object.entries(floors[key] ?? {})) {
      const k = MODEL_CLASSES.indexOf(c as AamiClass);
      const v = per[k] > 0 ? (100 * hit[k]) / per[k] : 0;
      if (v < floor!) short += floor! - v;
    }
  }
  return short;
}

/** What the search maximises: the objective where the floors hold, minus the shortfall (always below 0) where not. */
function decisionValue(labels: ArrayLike<number>, pred: ArrayLike<number>, floors?: DecisionFloors): number {
  const counts = classCounts(labels, pred); // one pass serves both
  const short = floors ? shortfallOf(counts, floors) : 0;
  return short > 0 ? -short : objectiveOf(counts);
}

export interface DecisionChoice {
  bias: number[];
  /** The objective at the chosen offsets (0–1). */
  objective: number;
  /** Whether the chosen offsets hold the floors (true when none were given). */
  floorsMet: boolean;
  /** The value the search compared: the objective, or minus the shortfall in points when the floors are not met. */
  value: number;
}

/** Coordinate search (three sweeps) of offsets for S, V, F in [-1, 3] (N fixed at 0), within the floors if given. */
export function chooseDecisionBias(probs: Float32Array, labels: ArrayLike<number>, floors?: DecisionFloors): DecisionChoice {
  const bias = MODEL_CLASSES.map(() => 0);
  let best = decisionValue(labels, decide(probs, bias), floors);
  const grid: number[] = [];
  for (let v = -1; v <= 3.0001; v += 0.25) grid.push(Math.round(v * 100) / 100);
  for (let sweep = 0; sweep < 3; sweep++) {
    for (let k = 1; k < MODEL_CLASSES.length; k++) {
      let bk = bias[k];
      for (const v of grid) {
        bias[k] = v;
        const o = decisionValue(labels, decide(probs, bias), floors);
        if (o > best + 1e-9) { best = o; bk = v; }
      }
      bias[k] = bk;
    }
  }
  const pred = decide(probs, bias);
  return { bias, objective: decisionObjective(labels, pred), floorsMet: best >= 0, value: best };
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
export function chooseConsensusAndBias(probs: Float32Array, labels: ArrayLike<number>, s: BeatSet, w: WindowSpec, floors?: DecisionFloors): DecisionChoice & { consensus?: ConsensusSpec; withoutConsensus: number } {
  const plain = chooseDecisionBias(probs, labels, floors);
  let best: DecisionChoice & { consensus?: ConsensusSpec } = plain;
  const kmax = Math.max(...CONSENSUS_GRID.k);
  const nb = morphologyNeighbours(s, w, kmax, CONSENSUS_GRID.span, w.causal === true);
  for (const k of CONSENSUS_GRID.k) {
    for (const alpha of CONSENSUS_GRID.alpha) {
      const c = chooseDecisionBias(applyConsensus(probs, MODEL_CLASSES.length, nb, k, alpha, kmax), labels, floors);
      if (c.value > best.value + 1e-9) best = { ...c, consensus: { k, alpha, span: CONSENSUS_GRID.span, ...(w.causal ? { causal: true } : {}) } };
    }
  }
  return { ...best, withoutConsensus: plain.objective };
}
