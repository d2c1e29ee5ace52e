/**
 * Beat-by-beat scores of a classifier when beats are the reference beats themselves (no matching needed):
 * confusion matrix, per-class Se / Sp / +P / F1, accuracy, macro-F1, and one-vs-rest ROC-AUC / average precision
 * from the class probabilities.
 */
export interface ClassScores { se: number; sp: number; ppv: number; f1: number; auc: number; ap: number; support: number }

export interface Scores {
  classes: string[];
  /** confusion[reference][predicted] */
  confusion: number[][];
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassScores>;
}

const pct = (a: number, b: number): number => (b > 0 ? (100 * a) / b : NaN);

/** ROC-AUC (Mann–Whitney, ties averaged) and average precision of scores `s` for positives `pos`. */
export function rocAucAp(s: Float32Array | number[], pos: Uint8Array): { auc: number; ap: number } {
  const n = s.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[b] - s[a]);
  const P = pos.reduce((a, v) => a + v, 0);
  const N = n - P;
  if (P === 0 || N === 0) return { auc: NaN, ap: NaN };
  // AUC via ranks (ascending, average ranks for ties)
  let rankSum = 0;
  let i = 0;
  const asc = [...idx].reverse();
  while (i < n) {
    let j = i;
    while (j + 1 < n && s[asc[j + 1]] === s[asc[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (pos[asc[k]]) rankSum += r;
    i = j + 1;
  }
  const auc = (rankSum - (P * (P + 1)) / 2) / (P * N);
  let tp = 0;
  let ap = 0;
  for (let k = 0; k < n; k++) {
    if (pos[idx[k]]) { tp++; ap += tp / (k + 1); }
  }
  return { auc, ap: ap / P };
}

/** Scores of predictions `pred` against `ref` (class indices, -1 = not counted), `probs` [n][classes] optional. */
export function scoreBeats(classes: readonly string[], ref: ArrayLike<number>, pred: ArrayLike<number>, probs?: Float32Array): Scores {
  const K = classes.length;
  const cm = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let total = 0;
  let correct = 0;
  const keep: number[] = [];
  for (let i = 0; i < ref.length; i++) {
    if (ref[i] < 0) continue;
    keep.push(i);
    cm[ref[i]][pred[i]]++;
    total++;
    if (ref[i] === pred[i]) correct++;
  }
  const perClass: Record<string, ClassScores> = {};
  let f1sum = 0;
  let f1n = 0;
  for (let k = 0; k < K; k++) {
    const tp = cm[k][k];
    const fn = cm[k].reduce((a, v) => a + v, 0) - tp;
    const fp = cm.reduce((a, row) => a + row[k], 0) - tp;
    const tn = total - tp - fn - fp;
    const se = pct(tp, tp + fn);
    const ppv = pct(tp, tp + fp);
    const f1 = tp + fn > 0 ? (tp === 0 ? 0 : (2 * se * ppv) / (se + ppv)) : NaN;
    let auc = NaN;
    let ap = NaN;
    if (probs) {
      const s = new Float32Array(keep.length);
      const pos = new Uint8Array(keep.length);
      keep.forEach((i, j) => { s[j] = probs[i * K + k]; pos[j] = ref[i] === k ? 1 : 0; });
      ({ auc, ap } = rocAucAp(s, pos));
    }
    perClass[classes[k]] = { se, sp: pct(tn, tn + fp), ppv, f1, auc, ap, support: tp + fn };
    if (!Number.isNaN(f1)) { f1sum += f1; f1n++; }
  }
  return { classes: [...classes], confusion: cm, accuracy: pct(correct, total), macroF1: f1n ? f1sum / f1n : NaN, perClass };
}

/** Mean and sample standard deviation. */
export function meanSd(v: number[]): { mean: number; sd: number } {
  const x = v.filter((a) => !Number.isNaN(a));
  if (x.length === 0) return { mean: NaN, sd: NaN };
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = x.length > 1 ? Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1)) : 0;
  return { mean: m, sd };
}
