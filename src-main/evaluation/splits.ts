/**
 * Deterministic, seeded splits of beats into training and test sets. Every splitter returns index arrays
 * (sorted ascending) into the caller's beat arrays; the same seed gives the same folds.
 *
 * - `kFold`: shuffled, k folds whose sizes differ by at most one.
 * - `stratifiedKFold`: per class, shuffled and dealt round-robin, so every fold holds ⌊nᶜ/k⌋ or ⌈nᶜ/k⌉ beats of
 *   each class c (proportions kept to within one beat) and fold sizes differ by at most one.
 * - `groupKFold`: patient-wise; a record (group) never appears in both the training and test side of a fold.
 *   Groups are placed largest first into the currently smallest fold (greedy balancing), ties by seed.
 * - `interPatientSplit`: de Chazal et al. 2004's DS1 (train) / DS2 (test) partition of MIT-BIH records.
 */
import { DS1, DS2 } from '../domain/mitdb.js';
import { EvaluationError } from './errors.js';
import { mulberry32, shuffleInPlace } from './random.js';

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

function foldsFromAssignment(assign: Int32Array, k: number): Fold[] {
  const sizes = new Int32Array(k);
  for (let i = 0; i < assign.length; i++) sizes[assign[i]]++;
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test = new Int32Array(sizes[f]);
    const train = new Int32Array(assign.length - sizes[f]);
    let a = 0, b = 0;
    for (let i = 0; i < assign.length; i++) {
      if (assign[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    folds.push({ train, test });
  }
  return folds;
}

function checkK(k: number, n: number, what: string): void {
  if (!Number.isInteger(k) || k < 2) throw new EvaluationError(`${what}: k must be an integer ≥ 2, got ${k}`);
  if (n < k) throw new EvaluationError(`${what}: cannot make ${k} folds from ${n} items`);
}

/** Which fold each of n items is in (shuffled, sizes differ by ≤ 1). */
export function kFold(n: number, k: number, seed: number): Fold[] {
  checkK(k, n, 'k-fold');
  const order = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), mulberry32(seed));
  const assign = new Int32Array(n);
  for (let p = 0; p < n; p++) assign[order[p]] = p % k;
  return foldsFromAssignment(assign, k);
}

/** K folds keeping each class's share in every fold to within one item. */
export function stratifiedKFold(labels: ArrayLike<number>, k: number, seed: number): Fold[] {
  const n = labels.length;
  checkK(k, n, 'stratified k-fold');
  const random = mulberry32(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i); else byClass.set(labels[i], [i]);
  }
  const assign = new Int32Array(n);
  // Continue the round-robin across classes so that fold totals also stay within one of each other.
  let p = 0;
  for (const c of [...byClass.keys()].sort((x, y) => x - y)) {
    const members = shuffleInPlace(byClass.get(c)!, random);
    for (const i of members) assign[i] = p++ % k;
  }
  return foldsFromAssignment(assign, k);
}

/** K folds by group (patient/record): no group is split, fold sizes balanced greedily. */
export function groupKFold(groups: ArrayLike<string | number>, k: number, seed: number): Fold[] {
  const n = groups.length;
  const members = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = members.get(groups[i]);
    if (list) list.push(i); else members.set(groups[i], [i]);
  }
  checkK(k, members.size, 'group k-fold (groups)');
  const random = mulberry32(seed);
  // Shuffle first, then a stable sort by size: equal-sized groups keep their seeded order.
  const keys = shuffleInPlace([...members.keys()].sort((x, y) => String(x).localeCompare(String(y))), random);
  keys.sort((x, y) => members.get(y)!.length - members.get(x)!.length);
  const load = new Float64Array(k);
  const assign = new Int32Array(n);
  for (const g of keys) {
    let best = 0;
    for (let f = 1; f < k; f++) if (load[f] < load[best]) best = f;
    for (const i of members.get(g)!) assign[i] = best;
    load[best] += members.get(g)!.length;
  }
  return foldsFromAssignment(assign, k);
}

/**
 * de Chazal 2004 inter-patient split: beats of DS1 records train, beats of DS2 records test; beats of any
 * other record (the paced ones) are in neither.
 */
export function interPatientSplit(recordOfBeat: ArrayLike<string>): Fold {
  const ds1 = new Set<string>(DS1), ds2 = new Set<string>(DS2);
  const train: number[] = [], test: number[] = [];
  for (let i = 0; i < recordOfBeat.length; i++) {
    if (ds1.has(recordOfBeat[i])) train.push(i);
    else if (ds2.has(recordOfBeat[i])) test.push(i);
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
