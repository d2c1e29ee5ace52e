/**
 * Patient-wise validation split taken from the training records only: whole records are held out, so early
 * stopping and prior selection see patients the model never trained on — as DS2 will be.
 */
import { mulberry32, shuffleInPlace } from '../../evaluation/random.js';
import { MODEL_CLASSES, subsetBeats, type BeatSet } from '../dataset/beats.js';

/**
 * Hold out ≈`fraction` of the beats as whole records, chosen by seed among the candidate draws so that the
 * held-out records carry between 10 % and 40 % of every class that has ≥ 2 records (S and V beats come from
 * few patients; a validation set without them cannot steer anything).
 */
export function patientValidationSplit(s: BeatSet, seed: number, fraction = 0.2): { train: BeatSet; val: BeatSet; valRecords: string[] } {
  const R = s.records.length;
  const K = MODEL_CLASSES.length;
  const per = Array.from({ length: R }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < s.n; i++) if (s.labels[i] >= 0) per[s.recordIndex[i]][s.labels[i]]++;
  const tot = new Array<number>(K).fill(0);
  per.forEach((p) => p.forEach((v, k) => { tot[k] += v; }));
  const holders = tot.map((_, k) => per.filter((p) => p[k] > 0).length);
  const rnd = mulberry32(seed);
  let best: number[] = [];
  let bestCost = Infinity;
  for (let attempt = 0; attempt < 400; attempt++) {
    const order = shuffleInPlace(Array.from({ length: R }, (_, i) => i), rnd);
    const pick: number[] = [];
    let beats = 0;
    const all = tot.reduce((a, b) => a + b, 0);
    for (const r of order) {
      if (beats >= fraction * all) break;
      pick.push(r);
      beats += per[r].reduce((a, b) => a + b, 0);
    }
    let cost = Math.abs(beats / all - fraction);
    for (let k = 0; k < K; k++) {
      if (holders[k] < 2 || tot[k] === 0) continue;
      const share = pick.reduce((a, r) => a + per[r][k], 0) / tot[k];
      if (share < 0.1) cost += 1 + (0.1 - share);
      if (share > 0.4) cost += 1 + (share - 0.4);
    }
    if (cost < bestCost) { bestCost = cost; best = pick; }
    if (cost < 0.05) break;
  }
  const held = new Set(best);
  const tr: number[] = [];
  const va: number[] = [];
  for (let i = 0; i < s.n; i++) (held.has(s.recordIndex[i]) ? va : tr).push(i);
  return { train: subsetBeats(s, tr), val: subsetBeats(s, va), valRecords: best.map((r) => s.records[r]).sort() };
}
