/**
 * Morphology consensus (src-main/model/consensus.ts) on MIT-BIH 208 (992 V and 373 F beats among 2,955): the
 * premise (a V beat's QRS look-alikes in its recording are mostly V), the neighbour search against brute force,
 * the blend (only V and F move, N:S kept), the device's stream form equal to the offline causal form however the
 * beats are split, and the checks on a bad specification.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { applyConsensus, checkConsensusSpec, ConsensusStream, morphologyConsensus, morphologyNeighbours, qrsSpan } from '../../src-main/model/consensus.js';
import { beatsFromAnnotations, buildRecordBeats, MODEL_CLASSES, subsetBeats, type BeatSet } from '../../src-main/model/dataset/beats.js';
import { CAUSAL_WINDOW } from '../../src-main/model/dataset/causal.js';
import { DEFAULT_WINDOW } from '../../src-main/model/dataset/windows.js';
import { ModelError } from '../../src-main/model/errors.js';
import { chooseConsensusAndBias, chooseDecisionBias, floorShortfall } from '../../src-main/model/train/decision.js';
import { decide } from '../../src-main/model/train/train.js';
import { REPO } from '../devices/processes.js';

const V = MODEL_CLASSES.indexOf('V');
const F = MODEL_CLASSES.indexOf('F');
let set: BeatSet;
let causalSet: BeatSet;

beforeAll(async () => {
  const src = await openRecording(join(REPO, 'resources/samples/208'));
  const pos = beatsFromAnnotations(await readAnnotations(src, 'atr'));
  set = await buildRecordBeats(src, pos, { window: DEFAULT_WINDOW, labelledOnly: true });
  causalSet = await buildRecordBeats(src, pos, { window: CAUSAL_WINDOW, labelledOnly: true });
  await src.close();
});

/** Deterministic pseudo-probabilities (a fixed LCG), each row summing to 1. */
function noisyProbs(n: number, seed = 7): Float32Array {
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const p = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < 4; k++) { p[i * 4 + k] = 0.05 + rnd(); sum += p[i * 4 + k]; }
    for (let k = 0; k < 4; k++) p[i * 4 + k] /= sum;
  }
  return p;
}

describe('morphology neighbours', () => {
  it('of a V beat in 208 are mostly V beats, far above their share of the record', () => {
    const k = 10;
    const nb = morphologyNeighbours(set, DEFAULT_WINDOW, k, 500);
    let vBeats = 0;
    let vAmongNeighbours = 0;
    let slots = 0;
    for (let i = 0; i < set.n; i++) {
      if (set.labels[i] !== V) continue;
      vBeats++;
      for (let q = 0; q < k; q++) { const j = nb[i * k + q]; if (j >= 0) { slots++; if (set.labels[j] === V) vAmongNeighbours++; } }
    }
    const share = vBeats / set.n;
    expect(vBeats).toBeGreaterThan(900);
    expect(share).toBeLessThan(0.4);
    expect(vAmongNeighbours / slots).toBeGreaterThan(0.9);
  });

  it('are the k nearest by squared QRS distance within the span, as brute force finds them (offline and causal)', () => {
    const s = subsetBeats(set, Array.from({ length: 400 }, (_, i) => i));
    const { from, to } = qrsSpan(DEFAULT_WINDOW);
    const dist = (i: number, j: number) => { let d = 0; for (let t = from; t < to; t++) { const e = s.x[i * s.length + t] - s.x[j * s.length + t]; d += e * e; } return d; };
    for (const causal of [false, true]) {
      const k = 5;
      const span = 60;
      const nb = morphologyNeighbours(s, DEFAULT_WINDOW, k, span, causal);
      for (const i of [0, 1, 30, 200, 399]) {
        const cand = [];
        for (let j = Math.max(0, i - span); j <= (causal ? i - 1 : Math.min(s.n - 1, i + span)); j++) if (j !== i) cand.push(j);
        const want = cand.map((j) => ({ j, d: dist(i, j) })).sort((a, b) => a.d - b.d || a.j - b.j).slice(0, k).map((c) => c.j);
        const got = Array.from(nb.subarray(i * k, (i + 1) * k)).filter((j) => j >= 0);
        expect(got).toEqual(want);
        if (causal) expect(got.every((j) => j < i)).toBe(true);
      }
    }
    expect(Array.from(morphologyNeighbours(s, DEFAULT_WINDOW, 5, 60, true).subarray(0, 5))).toEqual([-1, -1, -1, -1, -1]);
  });

  it('break ties between equally near beats oldest first, as brute force does (beats with identical windows)', () => {
    const s = subsetBeats(set, Array.from({ length: 120 }, (_, i) => i));
    const x = new Float32Array(s.x);
    const W = s.length * s.channels;
    for (const i of [10, 25, 40, 55, 70, 85, 100]) x.copyWithin(i * W, 5 * W, 6 * W); // seven copies of beat 5
    const t: BeatSet = { ...s, x };
    const { from, to } = qrsSpan(DEFAULT_WINDOW);
    const dist = (i: number, j: number) => { let d = 0; for (let q = from; q < to; q++) { const e = x[(i * s.length + q) * s.channels] - x[(j * s.length + q) * s.channels]; d += e * e; } return d; };
    for (const causal of [false, true]) {
      const k = 4;
      const span = 50;
      const nb = morphologyNeighbours(t, DEFAULT_WINDOW, k, span, causal);
      for (const i of [5, 10, 40, 60, 100, 110]) {
        const cand = [];
        for (let j = Math.max(0, i - span); j <= (causal ? i - 1 : Math.min(t.n - 1, i + span)); j++) if (j !== i) cand.push(j);
        const want = cand.map((j) => ({ j, d: dist(i, j) })).sort((a, b) => a.d - b.d || a.j - b.j).slice(0, k).map((c) => c.j);
        expect(Array.from(nb.subarray(i * k, (i + 1) * k)).filter((j) => j >= 0)).toEqual(want);
      }
    }
  });

  it('never cross into another recording', () => {
    const two: BeatSet = { ...set, recordIndex: Uint16Array.from(set.recordIndex, (_, i) => (i < 1000 ? 0 : 1)), records: ['a', 'b'] };
    const nb = morphologyNeighbours(two, DEFAULT_WINDOW, 10, 500);
    for (let i = 900; i < 1100; i++) for (let q = 0; q < 10; q++) expect(nb[i * 10 + q] < 1000).toBe(i < 1000);
  });
});

describe('applyConsensus', () => {
  it('moves only the V and F share, keeps N:S and sums to one; alpha 1 changes nothing', () => {
    const p = noisyProbs(set.n);
    const nb = morphologyNeighbours(set, DEFAULT_WINDOW, 20, 500);
    const same = applyConsensus(p, 4, nb, 20, 1);
    for (let i = 0; i < p.length; i++) expect(same[i]).toBeCloseTo(p[i], 6);
    const c = applyConsensus(p, 4, nb, 20, 0.25);
    let moved = 0;
    for (let i = 0; i < set.n; i++) {
      const o = i * 4;
      expect(c[o] + c[o + 1] + c[o + 2] + c[o + 3]).toBeCloseTo(1, 5);
      expect(c[o] / c[o + 1]).toBeCloseTo(p[o] / p[o + 1], 4);
      const want = 0.25 * p[o + V] + 0.75 * Array.from(nb.subarray(i * 20, i * 20 + 20)).reduce((a, j) => a + p[j * 4 + V], 0) / 20;
      expect(c[o + V]).toBeCloseTo(want, 5);
      if (Math.abs(c[o + V] - p[o + V]) > 0.01) moved++;
    }
    expect(moved).toBeGreaterThan(set.n / 2);
  });

  it('uses the first k of a longer neighbour list, and refuses other class counts and mismatched lists', () => {
    const p = noisyProbs(set.n);
    const nb20 = morphologyNeighbours(set, DEFAULT_WINDOW, 20, 500);
    const nb10 = morphologyNeighbours(set, DEFAULT_WINDOW, 10, 500);
    expect(Array.from(applyConsensus(p, 4, nb20, 10, 0.5, 20))).toEqual(Array.from(applyConsensus(p, 4, nb10, 10, 0.5)));
    expect(() => applyConsensus(p, 5, nb10, 10, 0.5)).toThrow(/four classes/);
    expect(() => applyConsensus(p, 4, nb20, 10, 0.5)).toThrow(/neighbour slots/);
  });
});

describe('ConsensusStream (the device form)', () => {
  it('equals the offline causal consensus exactly, whatever the beats are split into', () => {
    const spec = { k: 10, alpha: 0.25, span: 300, causal: true };
    const p = noisyProbs(causalSet.n, 3);
    const offline = morphologyConsensus(p, causalSet, CAUSAL_WINDOW, spec);
    for (const chunk of [1, 7, 250, causalSet.n]) {
      const stream = new ConsensusStream(spec, CAUSAL_WINDOW);
      const out = new Float32Array(p.length);
      for (let a = 0; a < causalSet.n; a += chunk) {
        const idx = Array.from({ length: Math.min(chunk, causalSet.n - a) }, (_, i) => a + i);
        out.set(stream.apply(subsetBeats(causalSet, idx), p.slice(a * 4, (a + idx.length) * 4)), a * 4);
      }
      expect(Array.from(out)).toEqual(Array.from(offline));
    }
  });
});

describe('choosing a consensus on out-of-fold predictions', () => {
  it('picks one when V evidence is noisy per beat but consistent across look-alikes, and is never worse than the offsets alone', () => {
    // Probabilities that know the true class only weakly per beat: the V share is the truth plus heavy noise.
    const p = noisyProbs(set.n, 11);
    for (let i = 0; i < set.n; i++) {
      const o = i * 4;
      const boost = set.labels[i] === V ? 0.12 : set.labels[i] === F ? 0.05 : 0;
      p[o + V] = p[o + V] * 0.5 + boost;
      const rest = 1 - p[o + V];
      const others = p[o] + p[o + 1] + p[o + F];
      for (const k of [0, 1, F]) p[o + k] *= rest / others;
    }
    const plain = chooseDecisionBias(p, set.labels);
    const chosen = chooseConsensusAndBias(p, set.labels, set, DEFAULT_WINDOW);
    expect(chosen.withoutConsensus).toBeCloseTo(plain.objective, 9);
    expect(chosen.consensus).toBeDefined();
    expect(chosen.objective).toBeGreaterThan(plain.objective);
    // The gain is in V (S is 2 beats of 208, so the macro-F1 moves less): V F1 well up.
    const f1V = (pred: Int8Array) => {
      let tp = 0, fp = 0, fn = 0;
      for (let i = 0; i < set.n; i++) { const r = set.labels[i] === V, q = pred[i] === V; if (r && q) tp++; else if (q) fp++; else if (r) fn++; }
      return (2 * tp) / (2 * tp + fp + fn);
    };
    const before = f1V(decide(p, plain.bias));
    const after = f1V(decide(morphologyConsensus(p, set, DEFAULT_WINDOW, chosen.consensus!), chosen.bias));
    expect(after).toBeGreaterThan(before + 0.05);
  });
});

describe('decision floors (train --min-ppv / --min-se)', () => {
  /** Weak per-beat evidence for every class: N +P of plain argmax is far from perfect. */
  function weakProbs(): Float32Array {
    const p = noisyProbs(set.n, 5);
    for (let i = 0; i < set.n; i++) { const r = set.labels[i]; if (r >= 0) p[i * 4 + r] += 0.35; }
    return p;
  }
  const nPpv = (pred: Int8Array) => {
    let tp = 0, called = 0;
    for (let i = 0; i < set.n; i++) if (set.labels[i] >= 0 && pred[i] === 0) { called++; if (set.labels[i] === 0) tp++; }
    return (100 * tp) / called;
  };

  it('hold N +P at the floor on the very predictions, at some cost in the objective, with and without a consensus', () => {
    const p = weakProbs();
    const plain = chooseDecisionBias(p, set.labels);
    const before = nPpv(decide(p, plain.bias));
    const floor = Math.min(99.9, Math.round((before + 1.5) * 10) / 10);
    expect(floor).toBeGreaterThan(before);
    const held = chooseDecisionBias(p, set.labels, { ppv: { N: floor } });
    expect(held.floorsMet).toBe(true);
    expect(nPpv(decide(p, held.bias))).toBeGreaterThanOrEqual(floor);
    expect(floorShortfall(set.labels, decide(p, held.bias), { ppv: { N: floor } })).toBe(0);
    expect(held.objective).toBeLessThanOrEqual(plain.objective + 1e-12);
    const withConsensus = chooseConsensusAndBias(p, set.labels, set, DEFAULT_WINDOW, { ppv: { N: floor } });
    expect(withConsensus.floorsMet).toBe(true);
    const q = withConsensus.consensus ? morphologyConsensus(p, set, DEFAULT_WINDOW, withConsensus.consensus) : p;
    expect(nPpv(decide(q, withConsensus.bias))).toBeGreaterThanOrEqual(floor);
    // No floors: exactly the search without them (the shipped models' choices do not move).
    expect(chooseDecisionBias(p, set.labels, {}).bias).toEqual(plain.bias);
  });

  it('that cannot all be held are reported as not met, with the shortfall in points as the value', () => {
    const p = weakProbs();
    const floors = { se: { N: 100, V: 100 }, ppv: { N: 100 } };
    const r = chooseDecisionBias(p, set.labels, floors);
    expect(r.floorsMet).toBe(false);
    const short = floorShortfall(set.labels, decide(p, r.bias), floors);
    expect(short).toBeGreaterThan(0);
    expect(r.value).toBeCloseTo(-short, 9);
  });
});

describe('bad specifications', () => {
  it('are refused with the values named', () => {
    expect(() => checkConsensusSpec({ k: 0, alpha: 0.5, span: 10 }, 'model.json')).toThrow(ModelError);
    expect(() => checkConsensusSpec({ k: 20, alpha: 0.5, span: 10 }, 'model.json')).toThrow(/span ≥ k/);
    expect(() => checkConsensusSpec({ k: 5, alpha: 1.5, span: 10 }, 'model.json')).toThrow(/"alpha":1.5/);
    expect(() => new ConsensusStream({ k: 2.5, alpha: 0.5, span: 10 }, DEFAULT_WINDOW)).toThrow(/integers/);
    expect(() => checkConsensusSpec({ k: 5, alpha: 0.5, span: 10 }, 'model.json')).not.toThrow();
  });
});
