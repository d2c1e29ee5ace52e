/**
 * Atrial fibrillation from the rhythm alone: AF makes the ventricular response irregularly irregular, so the
 * normal-to-normal intervals around each beat vary far more than in sinus rhythm, even sinus arrhythmia. A beat
 * classifier cannot see AF (its beats are class N), so a Holter summary needs this to report AF burden.
 *
 * Score of a beat: the RMSSD of the NN intervals among the `windowBeats` around it, over their mean. The largest
 * 10 % of the successive differences are trimmed, so a missed or extra beat does not make a window look irregular.
 * Intervals that touch an S, V, F or Q beat are left out, so ectopy is not mistaken for AF. Beats scoring above
 * `threshold` are AF. Runs of them, merged across gaps shorter than `mergeSeconds`, are episodes; an episode must
 * last `minSeconds` (30 s, the usual clinical definition).
 *
 * The window and threshold were chosen on the MIT-BIH DS1 records only (201 and 203 hold its AF). There, AF beats
 * score apart from the rest with AUC 0.999; at 64 beats and 0.15, beat Se 99.8 % and +P 96.4 % against the
 * cardiologists' (AFIB and (AFL. DS2's figures are in the README.
 *
 * Where a window holds fewer than half its intervals as NN, the NN score cannot be judged. That happens on a
 * model's labels in AF, because models call many AF beats S. There the **supraventricular score** decides
 * (`fallbackThreshold`): over the intervals between two beats each N or S, so it does not depend on the N/S split,
 * the median of the pattern-robust change min(|RR_k − RR_k−1|, |RR_k − RR_k−2|), over the mean interval.
 * Bigeminy and runs repeat the interval two back, and an isolated premature beat spoils only a few changes of the
 * median, while in AF neither neighbour is close. Its statistic and 0.07 were chosen on DS1 only, with S treated
 * as N, from 3 statistics × 2 windows × 5 thresholds; DS2 figures are in the README.
 *
 * **Where the signal shows no P wave, half the irregularity is enough.** AF with a fast or regular response (MIT-BIH
 * 210) scores below both thresholds, and only its missing P waves tell it apart from sinus rhythm. Where the beats
 * carry the signal's atrial activity (`LabelledBeats.atrialActivity`) and it is below `noPWave`, a beat is AF
 * above `noPWaveShare` of the threshold that applies (NN or supraventricular). Some irregularity is still required,
 * so that junctional and other regular rhythms without a visible P wave are not AF.
 */
import { annotationCode, type Annotation } from '../domain/annotation.js';
import type { AfEpisode } from '../domain/holter.js';
import type { LabelledBeats } from './beats.js';
import { RhythmError } from './errors.js';

export interface AfSettings {
  windowBeats: number;
  threshold: number;
  /** Supraventricular score above which a beat is AF where its window has too few NN intervals to judge. */
  fallbackThreshold: number;
  minSeconds: number;
  mergeSeconds: number;
  /** Atrial activity below which a beat has no P wave (used only where the beats carry it). */
  noPWave: number;
  /** Share of the irregularity threshold that makes a beat without a P wave AF. */
  noPWaveShare: number;
}

export const DEFAULT_AF_SETTINGS: Readonly<AfSettings> = { windowBeats: 64, threshold: 0.15, fallbackThreshold: 0.07, minSeconds: 30, mergeSeconds: 10, noPWave: 0.3, noPWaveShare: 0.5 };

/** Per beat: the irregularity score, NaN where the window holds fewer than half its NN intervals. */
export function afScores(b: LabelledBeats, windowBeats = DEFAULT_AF_SETTINGS.windowBeats): Float64Array {
  const n = b.samples.length;
  const half = Math.floor(windowBeats / 2);
  // NN interval ending at beat j (s), NaN when either beat is not N
  const nn = new Float64Array(n).fill(NaN);
  for (let j = 1; j < n; j++) if (b.labels[j] === 'N' && b.labels[j - 1] === 'N') nn[j] = (b.samples[j] - b.samples[j - 1]) / b.fs;
  const out = new Float64Array(n).fill(NaN);
  const xs = new Float64Array(2 * half + 1);
  const d = new Float64Array(2 * half + 1);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = Math.max(1, i - half); j <= Math.min(n - 1, i + half); j++) if (!Number.isNaN(nn[j])) xs[m++] = nn[j];
    if (m < half) continue;
    out[i] = trimmedIrregularity(xs, m, d);
  }
  return out;
}

/**
 * Per beat: the supraventricular score (see the header), NaN where the window holds fewer than half its
 * intervals between N or S beats. Blind to the N/S split, so a model that calls AF beats S is still judged.
 * `only` limits the windows scored (NaN elsewhere): the episodes need it only where the NN score is NaN, and a
 * window's median costs a sort.
 */
export function supraventricularScores(b: LabelledBeats, windowBeats = DEFAULT_AF_SETTINGS.windowBeats, only?: (i: number) => boolean): Float64Array {
  const n = b.samples.length;
  const half = Math.floor(windowBeats / 2);
  const sv = (l: string): boolean => l === 'N' || l === 'S';
  const rr = new Float64Array(n).fill(NaN);
  for (let j = 1; j < n; j++) if (sv(b.labels[j]) && sv(b.labels[j - 1])) rr[j] = (b.samples[j] - b.samples[j - 1]) / b.fs;
  // pattern-robust change of the interval ending at beat j
  const change = new Float64Array(n).fill(NaN);
  for (let j = 2; j < n; j++) change[j] = patternChange(rr, j);
  const out = new Float64Array(n).fill(NaN);
  const xs = new Float64Array(2 * half + 1);
  for (let i = 0; i < n; i++) {
    if (only && !only(i)) continue;
    let m = 0, sum = 0, count = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) {
      if (!Number.isNaN(change[j])) xs[m++] = change[j];
      if (!Number.isNaN(rr[j])) { sum += rr[j]; count++; }
    }
    if (m < half) continue;
    out[i] = median(xs, m) / (sum / count);
  }
  return out;
}

/** min(|RR_j − RR_j−1|, |RR_j − RR_j−2|), the second only where RR_j−2 is known; NaN without RR_j and RR_j−1. */
function patternChange(rr: ArrayLike<number>, j: number): number {
  if (Number.isNaN(rr[j]) || Number.isNaN(rr[j - 1])) return NaN;
  const d = Math.abs(rr[j] - rr[j - 1]);
  return j >= 2 && !Number.isNaN(rr[j - 2]) ? Math.min(d, Math.abs(rr[j] - rr[j - 2])) : d;
}

/** The lower median of the first `m` values of `xs` (sorted in place). */
function median(xs: Float64Array, m: number): number {
  return xs.subarray(0, m).sort()[Math.floor(0.5 * (m - 1))];
}

/**
 * The supraventricular score of `n` intervals (s) in time order, NaN where not between two N or S beats: as
 * `supraventricularScores`, over a window ending at the newest interval (the live alarm). NaN with fewer than
 * `minChanges` changes. `scratch` holds at least `n` values.
 */
export function supraventricularIrregularity(rr: Float64Array, n: number, scratch: Float64Array, minChanges: number): number {
  let m = 0, sum = 0, count = 0;
  for (let j = 0; j < n; j++) {
    if (Number.isNaN(rr[j])) continue;
    sum += rr[j]; count++;
    if (j >= 1) { const c = patternChange(rr, j); if (!Number.isNaN(c)) scratch[m++] = c; }
  }
  return m < minChanges ? NaN : median(scratch, m) / (sum / count);
}

/**
 * The irregularity of `m` NN intervals (s) in `xs`: the RMS of their successive differences, the largest 10 %
 * trimmed, over their mean. `d` is scratch space of at least `m` values. Shared by the Holter summary (a window
 * centred on each beat) and the live alarm (the window ending at the newest beat).
 */
export function trimmedIrregularity(xs: Float64Array, m: number, d: Float64Array): number {
  let mean = 0;
  for (let k = 0; k < m; k++) mean += xs[k];
  mean /= m;
  const keep = Math.max(1, Math.floor((m - 1) * 0.9));
  const drop = m - 1 - keep;
  // the `drop` largest differences, ascending, in d[0..held): a selection, not a sort (this runs once per beat)
  let ss = 0, held = 0;
  for (let k = 1; k < m; k++) {
    const v = Math.abs(xs[k] - xs[k - 1]);
    ss += v * v;
    if (held < drop) {
      let j = held++;
      while (j > 0 && d[j - 1] > v) { d[j] = d[j - 1]; j--; }
      d[j] = v;
    } else if (drop > 0 && v > d[0]) {
      let j = 0;
      while (j + 1 < drop && d[j + 1] < v) { d[j] = d[j + 1]; j++; }
      d[j] = v;
    }
  }
  for (let k = 0; k < held; k++) ss -= d[k] * d[k];
  return Math.sqrt(Math.max(0, ss) / keep) / mean;
}

/** AF episodes (start and end in seconds from the start of the recording), in time order. */
export function atrialFibrillationEpisodes(b: LabelledBeats, settings: Partial<AfSettings> = {}): AfEpisode[] {
  const s: AfSettings = { ...DEFAULT_AF_SETTINGS, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) };
  if (!(Number.isInteger(s.windowBeats) && s.windowBeats >= 8)) throw new RhythmError(`AF window must be a whole number ≥ 8 of beats, got ${s.windowBeats}`, b.source ?? 'AF settings');
  if (!(s.threshold > 0)) throw new RhythmError(`AF threshold must be positive, got ${s.threshold}`, b.source ?? 'AF settings');
  if (!(s.fallbackThreshold > 0)) throw new RhythmError(`AF fallback threshold must be positive, got ${s.fallbackThreshold}`, b.source ?? 'AF settings');
  const nn = afScores(b, s.windowBeats);
  const sv = supraventricularScores(b, s.windowBeats, (i) => Number.isNaN(nn[i]));
  if (!(s.noPWave >= 0)) throw new RhythmError(`AF no-P-wave level must be ≥ 0, got ${s.noPWave}`, b.source ?? 'AF settings');
  if (!(s.noPWaveShare > 0 && s.noPWaveShare <= 1)) throw new RhythmError(`AF no-P-wave share must be in (0, 1], got ${s.noPWaveShare}`, b.source ?? 'AF settings');
  const atrial = b.atrialActivity;
  // atrial[i] < noPWave is false for NaN: a beat whose P wave cannot be judged needs the full irregularity
  const share = (i: number): number => (atrial && atrial[i] < s.noPWave ? s.noPWaveShare : 1);
  const isAf = (i: number): boolean => (Number.isNaN(nn[i]) ? sv[i] > share(i) * s.fallbackThreshold : nn[i] > share(i) * s.threshold);
  const raw: AfEpisode[] = [];
  let from = -1;
  const close = (to: number): void => { raw.push({ start: b.samples[from] / b.fs, end: b.samples[to] / b.fs }); from = -1; };
  for (let i = 0; i < nn.length; i++) {
    if (isAf(i)) { if (from < 0) from = i; }
    else if (from >= 0) close(i - 1);
  }
  if (from >= 0) close(nn.length - 1);
  const merged: AfEpisode[] = [];
  for (const e of raw) {
    const last = merged[merged.length - 1];
    if (last && e.start - last.end < s.mergeSeconds) last.end = e.end;
    else merged.push({ ...e });
  }
  return merged.filter((e) => e.end - e.start >= s.minSeconds);
}

/**
 * AF episodes as WFDB rhythm annotations, as an arrhythmia detector writes them for EC57's AF comparison (WFDB
 * `epicmp -a`): `+` with `(N` at the start, `(AFIB` where an episode starts and `(N` where it ends. Beat
 * comparisons (bxb, rxr) ignore them. `fs` converts the episodes' seconds to samples.
 */
export function afRhythmAnnotations(episodes: readonly AfEpisode[], fs: number): Annotation[] {
  const code = annotationCode('+')!;
  const at = (seconds: number, aux: string): Annotation => ({ sample: Math.round(seconds * fs), symbol: '+', code, subtype: 0, chan: 0, num: 0, aux });
  const out = episodes.flatMap((e) => [at(e.start, '(AFIB'), at(e.end, '(N')]);
  // the rhythm at the start too, so a record with no AF still says the detector looked (and found none)
  return out.length && out[0].sample === 0 ? out : [at(0, '(N'), ...out];
}
