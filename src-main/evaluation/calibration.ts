/**
 * Calibration of a classifier's confidence: when it says 90 %, is it right nine times in ten? A reviewer who skips
 * the confident beats and checks the doubtful ones relies on this, so a model's figures are not complete without it.
 *
 * - Reliability diagram of the top label: beats binned by the probability of the label the model gave (equal-width
 *   bins), each bin's mean confidence against its accuracy (DeGroot & Fienberg, The Statistician 32:12-22, 1983).
 * - Expected calibration error, ECE = Σ_b (n_b / n) |accuracy_b − confidence_b|, and the maximum over bins, MCE
 *   (Naeini et al., AAAI 2015; Guo et al., ICML 2017).
 * - Classwise ECE: the same for each class one-vs-rest, p_k against [reference = k] (Kull et al., NeurIPS 2019),
 *   because a model can be calibrated overall (mostly N beats) and overconfident on the rare classes.
 * - Brier score of all class probabilities: mean over beats of Σ_k (p_k − [reference = k])², 0 at best, 2 at worst
 *   (Brier, Mon Weather Rev 78:1-3, 1950). It mixes calibration and discrimination, ECE is calibration alone.
 */
import { AAMI_CLASSES, type AamiClass } from '../domain/aami.js';
import type { CalibrationFigures, CalibrationIntervals, ReliabilityBin, TriagePoint } from '../domain/calibration.js';
import { recordBootstrap, type BootstrapOptions } from './bootstrap.js';
import { EvaluationError } from './errors.js';

export type { CalibrationFigures, CalibrationIntervals, ReliabilityBin, TriagePoint } from '../domain/calibration.js';

/** Shares of beats a triage table reports (least confident first). */
export const TRIAGE_SHARES: readonly number[] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

export interface CalibrationInput {
  /** Class index per beat in `labels`, −1 (or any index outside) where there is no reference. */
  reference: ArrayLike<number>;
  /** The label the model gave, class index per beat, −1 where none. */
  predicted: ArrayLike<number>;
  /** Probabilities, row-major, `labels.length` per beat. */
  probs: ArrayLike<number>;
  labels: readonly string[];
  /** Equal-width bins over [0, 1] (default 10). */
  bins?: number;
  /** What the inputs are, for error messages. */
  source?: string;
  /**
   * The recording of each beat (any integer id): with two or more, ECE and Brier get record-bootstrap intervals
   * (`bootstrap.draws` 0 turns them off).
   */
  records?: ArrayLike<number>;
  bootstrap?: BootstrapOptions;
}

function binOf(p: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.floor(p * n)));
}

/** ECE and MCE of (confidence, hit) pairs accumulated per bin. */
/** One bin's |accuracy − confidence| from its sums (c > 0 beats): the term ECE weighs by c / total and MCE maximises. */
function binGap(sumConf: number, sumHit: number, c: number): number {
  return Math.abs(sumHit / c - sumConf / c);
}

function binned(sumConf: Float64Array, sumHit: Float64Array, count: Float64Array, total: number): { bins: ReliabilityBin[]; ece: number; mce: number } {
  const n = count.length;
  let ece = 0, mce = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < n; b++) {
    const c = count[b];
    const confidence = c ? sumConf[b] / c : null, accuracy = c ? sumHit[b] / c : null;
    if (c) {
      const gap = binGap(sumConf[b], sumHit[b], c);
      ece += (c / total) * gap;
      mce = Math.max(mce, gap);
    }
    bins.push({ lo: b / n, hi: (b + 1) / n, beats: c, confidence, accuracy });
  }
  return { bins, ece, mce };
}

/** Calibration figures of one set of beats; null when no beat has both a reference and a label. */
export function calibrationOf(input: CalibrationInput): CalibrationFigures | null {
  const { reference, predicted, probs, labels } = input;
  const K = labels.length;
  const B = input.bins ?? 10;
  const where = input.source ? `${input.source}: ` : '';
  if (!Number.isInteger(B) || B < 1) throw new EvaluationError(`${where}calibration needs a whole number of bins ≥ 1, got ${B}`);
  if (predicted.length !== reference.length) throw new EvaluationError(`${where}${reference.length} reference labels but ${predicted.length} predicted ones`);
  if (probs.length !== reference.length * K) throw new EvaluationError(`${where}${probs.length} probabilities for ${reference.length} beats of ${K} classes (expected ${reference.length * K})`);
  if (input.records && input.records.length !== reference.length) throw new EvaluationError(`${where}${reference.length} reference labels but ${input.records.length} recording ids`);
  const top = { conf: new Float64Array(B), hit: new Float64Array(B), n: new Float64Array(B) };
  const cls = labels.map(() => ({ conf: new Float64Array(B), hit: new Float64Array(B), n: new Float64Array(B), seen: false }));
  const support = new Int32Array(K);
  let beats = 0, sumConf = 0, hits = 0, brier = 0;
  const confs: number[] = [], wrong: number[] = [];
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i], p = predicted[i];
    if (!(r >= 0 && r < K && p >= 0 && p < K)) continue;
    beats++;
    support[r]++;
    const conf = probs[i * K + p];
    if (!(conf >= 0 && conf <= 1)) throw new EvaluationError(`${where}beat ${i} has probability ${conf} for its label, outside [0, 1]`);
    const hit = r === p ? 1 : 0;
    const b = binOf(conf, B);
    top.conf[b] += conf; top.hit[b] += hit; top.n[b]++;
    sumConf += conf; hits += hit;
    confs.push(conf); wrong.push(1 - hit);
    for (let k = 0; k < K; k++) {
      const pk = probs[i * K + k], yk = r === k ? 1 : 0;
      brier += (pk - yk) ** 2;
      const c = cls[k], bk = binOf(pk, B);
      c.conf[bk] += pk; c.hit[bk] += yk; c.n[bk]++;
      if (yk || pk > 0) c.seen = true;
    }
  }
  if (!beats) return null;
  const t = binned(top.conf, top.hit, top.n, beats);
  const classwise = labels.flatMap((label, k) => (cls[k].seen ? [{ label, beats: support[k], ece: binned(cls[k].conf, cls[k].hit, cls[k].n, beats).ece }] : []));
  const units = input.records && input.bootstrap?.draws !== 0 ? recordingSums(input, B) : null;
  const intervals = units && units.size >= 2 ? intervalsOf([...units.values()], B, input.bootstrap) : undefined;
  return { beats, meanConfidence: sumConf / beats, accuracy: hits / beats, bins: t.bins, ece: t.ece, mce: t.mce, brier: brier / beats, classwise, ...triageOf(confs, wrong), ...(intervals ? { intervals } : {}) };
}

/**
 * Per recording, the top label's bin sums (confidence, hits, beats) and the Brier sum: what ECE and Brier are made
 * of, so that resampled recordings can be summed (beats without a reference or a label are left out, as above).
 */
function recordingSums(input: CalibrationInput, B: number): Map<number, Float64Array> {
  const { reference, predicted, probs, records } = input;
  const K = input.labels.length;
  const units = new Map<number, Float64Array>();
  if (!records) return units;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i], p = predicted[i];
    if (!(r >= 0 && r < K && p >= 0 && p < K)) continue;
    let unit = units.get(records[i]);
    if (!unit) units.set(records[i], (unit = new Float64Array(3 * B + 1)));
    const conf = probs[i * K + p], b = binOf(conf, B);
    unit[b] += conf; unit[B + b] += r === p ? 1 : 0; unit[2 * B + b]++;
    for (let k = 0; k < K; k++) unit[3 * B] += (probs[i * K + k] - (r === k ? 1 : 0)) ** 2;
  }
  return units;
}

/** ECE and Brier of one recording's (or a resample's summed) bin sums: [confidence × B, hits × B, beats × B, Brier sum]. */
function eceBrierOf(sum: Float64Array, B: number, at = 0): { ece: number | null; brier: number | null } {
  let beats = 0;
  for (let b = 0; b < B; b++) beats += sum[at + 2 * B + b];
  if (!beats) return { ece: null, brier: null };
  // `binned`'s ECE, term for term (so the same doubles), without building the bins: a bootstrap calls this per draw.
  let ece = 0;
  for (let b = 0; b < B; b++) {
    const c = sum[at + 2 * B + b];
    if (c) ece += (c / beats) * binGap(sum[at + b], sum[at + B + b], c);
  }
  return { ece, brier: sum[at + 3 * B] / beats };
}

/** ECE and Brier intervals over recordings resampled with replacement (bootstrap.ts), from each one's bin sums. */
function intervalsOf(units: Float64Array[], B: number, opts: BootstrapOptions = {}): CalibrationIntervals {
  const r = recordBootstrap(units, (sum) => eceBrierOf(sum, B), opts);
  return { method: `percentile bootstrap over recordings: ${r.units} resampled with replacement, ${r.draws} draws, seed ${r.seed}`, level: r.level, records: r.units, ece: r.intervals.ece, brier: r.intervals.brier };
}

/** One model's calibration sums per recording (`CalibrationPool.units`), what a paired comparison resamples. */
export interface CalibrationUnits {
  bins: number;
  /** Recording name → [confidence × bins, hits × bins, beats × bins, Brier sum]. */
  byRecord: Map<string, Float64Array>;
}

/** `input`'s per-recording sums (`input.records` indexes `names`), for `calibrationDifferenceIntervals`. */
export function calibrationUnits(input: CalibrationInput, names: readonly string[], bins = 10): CalibrationUnits {
  const byId = recordingSums(input, bins);
  return { bins, byRecord: new Map([...byId].map(([id, u]) => [names[id] ?? String(id), u])) };
}

/** A − B of ECE and Brier for two models on the same recordings, with paired intervals (as fractions). */
export interface CalibrationDifferences {
  method: string;
  level: number;
  records: number;
  point: { ece: number | null; brier: number | null };
  intervals: { ece: { lo: number; hi: number } | null; brier: { lo: number; hi: number } | null };
}

/**
 * Paired intervals of ECE and Brier differences between two models scored on the same recordings: each draw
 * resamples the recordings once and recomputes both models' figures on it. Separate intervals of two models overlap
 * whenever the patients drawn move both alike, so ranking models needs these.
 */
export function calibrationDifferenceIntervals(a: CalibrationUnits, b: CalibrationUnits, opts: BootstrapOptions = {}): CalibrationDifferences {
  if (a.bins !== b.bins) throw new EvaluationError(`paired calibration needs the same bins for both models (${a.bins} vs ${b.bins})`);
  const names = [...a.byRecord.keys()];
  const missing = names.filter((r) => !b.byRecord.has(r)).concat([...b.byRecord.keys()].filter((r) => !a.byRecord.has(r)));
  if (missing.length) throw new EvaluationError(`paired calibration needs the same recordings for both models; only one has ${missing.slice(0, 5).join(', ')}`);
  if (!names.length) throw new EvaluationError('paired calibration needs at least one recording');
  const B = a.bins, W = 3 * B + 1;
  const units = names.map((r) => { const u = new Float64Array(2 * W); u.set(a.byRecord.get(r)!, 0); u.set(b.byRecord.get(r)!, W); return u; });
  const diff = (sum: Float64Array): { ece: number | null; brier: number | null } => {
    const x = eceBrierOf(sum, B), y = eceBrierOf(sum, B, W);
    return { ece: x.ece === null || y.ece === null ? null : x.ece - y.ece, brier: x.brier === null || y.brier === null ? null : x.brier - y.brier };
  };
  const r = recordBootstrap(units, diff, opts);
  const total = new Float64Array(2 * W);
  for (const u of units) for (let j = 0; j < total.length; j++) total[j] += u[j];
  return {
    method: `paired percentile bootstrap over recordings: ${r.units} resampled with replacement, both models scored on each draw, ${r.draws} draws, seed ${r.seed}`,
    level: r.level, records: r.units, point: diff(total), intervals: { ece: r.intervals.ece, brier: r.intervals.brier },
  };
}

/** Errors found by checking the least confident beats first (ties in beat order), at each of TRIAGE_SHARES. */
function triageOf(confs: readonly number[], wrong: readonly number[]): { triage: TriagePoint[]; errors: number } {
  const order = confs.map((_, i) => i).sort((a, b) => confs[a] - confs[b] || a - b);
  const errors = wrong.reduce((a, b) => a + b, 0);
  // Errors among the first j beats checked, for every j: one pass, read at each share.
  const found = new Int32Array(order.length + 1);
  for (let j = 0; j < order.length; j++) found[j + 1] = found[j] + wrong[order[j]];
  const triage = TRIAGE_SHARES.map((share) => {
    const n = Math.max(1, Math.ceil(share * order.length));
    return { share, beats: n, confidenceBelow: confs[order[n - 1]], errorsFound: found[n], errorShare: errors ? found[n] / errors : null };
  });
  return { triage, errors };
}

/**
 * Beats gathered one at a time for calibration in the AAMI classes, as de Chazal's figures count them: a beat counts
 * when its reference is N, S, V or F; its probabilities are given per class name (a class the model lacks, e.g. Q,
 * has 0).
 */
export class CalibrationPool {
  private readonly reference: number[] = [];
  private readonly predicted: number[] = [];
  private readonly probs: number[] = [];
  private readonly records: number[] = [];
  private readonly recordIds = new Map<string, number>();

  /** `record` names the beat's recording, for the intervals' resampling. */
  add(reference: AamiClass | undefined, predicted: AamiClass, probability: (c: AamiClass) => number, record = ''): void {
    if (!reference || reference === 'Q') return;
    if (!this.recordIds.has(record)) this.recordIds.set(record, this.recordIds.size);
    this.records.push(this.recordIds.get(record)!);
    this.reference.push(AAMI_CLASSES.indexOf(reference));
    this.predicted.push(AAMI_CLASSES.indexOf(predicted));
    for (const c of AAMI_CLASSES) this.probs.push(probability(c));
  }

  figures(source: string): CalibrationFigures | null {
    return calibrationOf({ reference: this.reference, predicted: this.predicted, probs: this.probs, labels: AAMI_CLASSES, source, records: this.records });
  }

  /** The per-recording sums the figures' intervals resample, for a paired comparison with another model. */
  units(source: string, bins = 10): CalibrationUnits {
    const names: string[] = [];
    for (const [name, id] of this.recordIds) names[id] = name;
    return calibrationUnits({ reference: this.reference, predicted: this.predicted, probs: this.probs, labels: AAMI_CLASSES, source, records: this.records }, names, bins);
  }
}

const pct = (v: number | null): string => (v === null ? '—' : (v * 100).toFixed(1));

/** One line on how far the confidence can be trusted (`CalibrationFigures`), for reports and model cards. */
export function calibrationText(c: CalibrationFigures): string {
  const how = c.meanConfidence > c.accuracy ? 'over-confident' : 'under-confident';
  const iv = c.intervals;
  const lvl = iv ? `${Math.round(100 * iv.level)} % CI` : '';
  const ece = iv?.ece ? ` (${lvl} ${pct(iv.ece.lo)}–${pct(iv.ece.hi)} over ${iv.records} recordings)` : '';
  const brier = iv?.brier ? ` (${lvl} ${iv.brier.lo.toFixed(3)}–${iv.brier.hi.toFixed(3)})` : '';
  return `ECE ${pct(c.ece)} %${ece}, MCE ${pct(c.mce)} %, Brier ${c.brier.toFixed(3)}${brier}; mean confidence ${pct(c.meanConfidence)} % against accuracy ${pct(c.accuracy)} % (${how}); one-vs-rest ECE ${c.classwise.map((x) => `${x.label} ${pct(x.ece)}`).join(', ')} %`;
}

/** Review triage in one line: the share of the model's errors found by checking the least confident beats first. */
export function triageText(c: CalibrationFigures): string {
  if (!c.errors) return 'the model made no error on these beats';
  const points = c.triage.filter((t) => t.share >= 0.05 && t.share <= 0.2)
    .map((t) => `${+(100 * t.share).toFixed(1)} % (${t.beats} beats, confidence ≤ ${pct(t.confidenceBelow)} %) finds ${pct(t.errorShare)} %`);
  return `checking the least confident beats first, ${points.join('; ')} of the model's ${c.errors} errors`;
}
