/**
 * A study: each model's runs pooled over their recordings, as a paper reports a beat classifier. The figures are
 * the ones `ecg-review evaluate` prints for the same annotations, computed by the same calls:
 *  - de Chazal et al. 2004's class figures (N, S, V, F Se and +P, accuracy, macro-F1) from bxb matrices under the
 *    AAMI mapping over the whole record (`evaluate --mapping aami --whole`), or from the end of an adapted run's
 *    learning period, summed over recordings (`figuresFromCounts`), with record-bootstrap intervals
 *    (`figureIntervals`, as `--ci`);
 *  - EC57's gross and average VEB/SVEB figures from minute 5 under bxb's own mapping (`summarizeRecords`, sumstats);
 *  - for two models on the same recordings, the paired bootstrap of their differences (`figureDifferenceIntervals`,
 *    as `compare` gives it).
 * Recordings, not beats, are the unit of resampling: one patient's beats are not independent.
 */
import type { CalibrationSummary, StudyAf, StudyBurden, StudyBurdenAgreement, StudyEc57, StudyFigures, StudyModel, StudyPair, StudyRecording, StudyResult } from '../api/contract.js';
import type { Annotation } from '../domain/annotation.js';
import { afAgreementFigures, afMethodText } from '../domain/holter.js';
import { DE_CHAZAL_2004_DS2 } from '../domain/mitdb.js';
import { afAgreement, hasRhythmAnnotations, poolAfAgreements, referenceAfEpisodes } from '../evaluation/af-episodes.js';
import { blandAltman } from '../evaluation/agreement.js';
import { atrialFibrillationEpisodes, beatsOfAnnotations, supraventricularOutsideAf, type LabelledBeats } from '../rhythm/index.js';
import { FIGURE_CLASSES, figureDifferenceIntervals, figureDifferences, figureIntervals, figuresFromCounts, macroF1NSV, type FigureClass } from '../evaluation/class-figures.js';
import { compareBeats, secondsToSamples, type BxbComparison } from '../evaluation/ec57/compare.js';
import { summarizeRecords, type BeatStatistics } from '../evaluation/ec57/stats.js';
import { AppError } from './errors.js';
import { runCalibrationInput } from './metrics.js';
import { calibrationDifferenceIntervals, calibrationOf, calibrationUnits, type CalibrationInput } from '../evaluation/calibration.js';

/** One run of one recording, as the service hands it over: annotations already corrected when asked. */
export interface StudyRunInput {
  runId: string;
  recordingId: string;
  recording: string;
  modelId: string;
  /** The group it is pooled in (`studyArm`). */
  arm: string;
  adapted: boolean;
  /** Adapted runs: the end of the learning period (s); 0 otherwise. */
  scoredFromSeconds: number;
  corrections: number;
  fs: number;
  /** Recording length in samples (bxb's end). */
  length: number;
  reference: readonly Annotation[];
  test: readonly Annotation[];
  /** The run's own beats from `scoredFromSeconds`: reference and model labels (a character each), probabilities, positions. */
  labels: { reference: string; predicted: string; probs: Float32Array | null; samples: Int32Array };
  /**
   * The beats the AF comparison judges (`afBeatsOf`), as the caller built them with the signal's atrial activity (the
   * AF rule's P-wave test); without it they are built here and AF is judged from RR alone.
   */
  afBeats?: { test: LabelledBeats; reference: LabelledBeats };
}

/** The beats the AF comparison judges: the model's and the reference's, as their Holter summaries see them. */
export function afBeatsOf(input: Pick<StudyRunInput, 'reference' | 'test' | 'fs' | 'length' | 'recording'>): { test: LabelledBeats; reference: LabelledBeats } {
  return {
    test: beatsOfAnnotations(input.test, input.fs, input.length, `${input.recording} (model)`),
    reference: beatsOfAnnotations(input.reference, input.fs, input.length, `${input.recording} (reference)`),
  };
}

/** EC57's start, minute 5, or later for an adapted run whose learning period is longer. */
const EC57_START_SECONDS = 300;

interface Scored {
  input: StudyRunInput;
  /** AAMI-mapped bxb matrix from `scoredFromSeconds`. */
  aami: BxbComparison;
  /** bxb-mapped comparison from minute 5 (null when the recording ends before). */
  bxb: BxbComparison | null;
}

function studyFigures(counts: ArrayLike<number>): StudyFigures {
  const f = figuresFromCounts(counts);
  const perClass = {} as StudyFigures['perClass'];
  let beats = 0;
  for (const c of FIGURE_CLASSES) { perClass[c] = { ...f.perClass[c] }; beats += f.perClass[c].support; }
  return { beats, confusion: f.confusion, perClass, accuracy: f.accuracy, macroF1NSV: macroF1NSV(f) };
}

function ec57Of(s: BeatStatistics): StudyEc57 {
  return { qrsSe: s.qrsSensitivity, qrsPpv: s.qrsPositivePredictivity, vebSe: s.vebSensitivity, vebPpv: s.vebPositivePredictivity, vebFpr: s.vebFalsePositiveRate, svebSe: s.svebSensitivity, svebPpv: s.svebPositivePredictivity };
}

function score(input: StudyRunInput): Scored {
  const window = { fs: input.fs, recordLength: input.length };
  const aami = compareBeats(input.reference, input.test, { ...window, startSeconds: input.scoredFromSeconds, mapping: 'aami' });
  const start = Math.max(EC57_START_SECONDS, input.scoredFromSeconds);
  const bxb = secondsToSamples(start, input.fs) < input.length ? compareBeats(input.reference, input.test, { ...window, startSeconds: start }) : null;
  return { input, aami, bxb };
}

function sumCounts(list: readonly BxbComparison[]): Float64Array {
  const total = new Float64Array(49);
  for (const c of list) for (let i = 0; i < 49; i++) total[i] += c.counts[i];
  return total;
}

function modelOf(arm: string, runs: readonly Scored[], draws: number): StudyModel {
  const recordings: StudyRecording[] = runs.map(({ input, aami, bxb }) => {
    const figures = studyFigures(aami.counts);
    return {
      runId: input.runId, recordingId: input.recordingId, recording: input.recording, scoredFromSeconds: input.scoredFromSeconds,
      corrections: input.corrections, figures, ec57: bxb ? ec57Of(summarizeRecords([bxb]).gross) : null,
      calibration: ((c) => (c ? { ece: c.ece, brier: c.brier } : null))(calibrationOfRuns([input], 0)),
      burden: burdenOf(figures),
      af: afOf(input),
    };
  });
  const withAf = recordings.flatMap((r) => (r.af ? [r.af] : []));
  const perRecord = runs.map((r) => r.aami.counts);
  const intervals = perRecord.length >= 2 && draws > 0 ? figureIntervals(perRecord, { draws }).intervals : null;
  const withEc57 = runs.flatMap((r) => (r.bxb ? [r.bxb] : []));
  const sum = withEc57.length ? summarizeRecords(withEc57) : null;
  return {
    arm, modelId: runs[0].input.modelId, adapted: runs.some((r) => r.input.adapted), recordings,
    gross: { ...studyFigures(sumCounts(runs.map((r) => r.aami))), intervals },
    ec57: sum ? { recordings: withEc57.length, gross: ec57Of(sum.gross), average: ec57Of(sum.average) } : null,
    calibration: calibrationOfRuns(runs.map((r) => r.input), draws),
    burden: { V: burdenAgreement(recordings, 'V'), S: burdenAgreement(recordings, 'S') },
    af: withAf.length ? {
      recordings: withAf.length, model: poolAfAgreements('reference', withAf.map((a) => a.model)), reference: poolAfAgreements('reference', withAf.map((a) => a.reference)),
      sBurdenOutsideAf: agreementOf(recordings.flatMap((r) => (r.af ? [{ recording: r.recording, burden: r.af.sBurdenOutsideAf }] : [])), 'S burden outside AF'),
      pWaves: withAf.every((a) => a.pWaves),
    } : null,
  };
}

/**
 * AF found from the run's labels and from the reference's beat labels, each against the reference's rhythm
 * annotations, over the whole recording (the rhythm needs the beats around it); null without rhythm annotations.
 */
export function afOf(input: Pick<StudyRunInput, 'reference' | 'test' | 'fs' | 'length' | 'recording' | 'afBeats'>): StudyAf | null {
  if (!hasRhythmAnnotations(input.reference)) return null;
  const truth = referenceAfEpisodes(input.reference, input.fs, input.length);
  const both = input.afBeats ?? afBeatsOf(input);
  // each side as its Holter summary sees it: AF from its own labels (and the signal's P waves), and its S labels outside that AF
  const side = (whose: 'test' | 'reference') => {
    const beats = both[whose];
    const found = atrialFibrillationEpisodes(beats);
    const labelled = Array.from(beats.labels).filter((l) => l !== '-').length;
    const s = Array.from(beats.labels).filter((l) => l === 'S').length - supraventricularOutsideAf(beats, found).moved;
    return { agreement: afAgreement('reference', truth, found), sBurden: labelled ? (100 * s) / labelled : 0 };
  };
  const m = side('test'), r = side('reference');
  return { model: m.agreement, reference: r.agreement, pWaves: both.test.atrialActivity !== undefined && both.reference.atrialActivity !== undefined, sBurdenOutsideAf: { reference: r.sBurden, model: m.sBurden } };
}

/** The arm's AF from its labels in one line: duration Se and +P, with the reference's beat labels beside them. */
export function afText(m: Pick<StudyModel, 'af'>): string | null {
  const a = m.af;
  if (!a) return null;
  return `Atrial fibrillation found from the labels (${afMethodText(a)}, as the Holter summary), against the reference's (AFIB/(AFL over ${a.recordings} recordings (${(a.model.referenceSeconds / 60).toFixed(1)} min of AF): from the model's labels ${afAgreementFigures(a.model)}; from the reference's beat labels ${afAgreementFigures(a.reference)}.`;
}

/** Percentage points with a sign (a true minus) and two decimals. */
const points = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;

/** "bias +0.28 points (95 % limits of agreement …; largest difference 214, −4.25)". */
const agreementText = (a: StudyBurdenAgreement): string =>
  `bias ${points(a.bias)} points (95 % limits of agreement ${points(a.lower)} to ${points(a.upper)}; largest difference ${a.largest.recording}, ${points(a.largest.difference)})`;

/** The arm's V and S burden agreement in one line (percentage points, model − reference). */
export function burdenText(m: Pick<StudyModel, 'burden'>): string {
  const one = (c: 'V' | 'S'): string => (m.burden[c] ? `${c} ${agreementText(m.burden[c]!)}` : `${c}: fewer than two recordings`);
  return `Ectopy burden, the model's against the reference's (Bland–Altman over the recordings): ${one('V')}; ${one('S')}.`;
}

/** The arm's S burden outside AF, as the Holter reports state it, in one line; null without it. */
export function sOutsideAfText(m: Pick<StudyModel, 'af'>): string | null {
  const a = m.af?.sBurdenOutsideAf;
  return a ? `S burden outside AF, as each side's Holter summary states it (S labels outside the AF found from the same labels, over all labelled beats): ${agreementText(a)}.` : null;
}

/** V and S burden of a recording's figures (percent of its N, S, V, F reference beats): reference rows, model columns. */
export function burdenOf(figures: StudyFigures): Record<'V' | 'S', StudyBurden> | null {
  if (!figures.beats) return null;
  const of = (k: number): StudyBurden => ({
    reference: (100 * figures.confusion[k].reduce((a, b) => a + b, 0)) / figures.beats,
    model: (100 * figures.confusion.reduce((a, row) => a + row[k], 0)) / figures.beats,
  });
  return { V: of(FIGURE_CLASSES.indexOf('V')), S: of(FIGURE_CLASSES.indexOf('S')) };
}

/** Bland–Altman of the recordings' burdens of one class (those with beats). */
export function burdenAgreement(recordings: readonly StudyRecording[], c: 'V' | 'S'): StudyBurdenAgreement | null {
  return agreementOf(recordings.flatMap((r) => (r.burden ? [{ recording: r.recording, burden: r.burden[c] }] : [])), `${c} burden`);
}

/** Bland–Altman of one burden per recording (model − reference); null with fewer than two. */
function agreementOf(rows: readonly { recording: string; burden: StudyBurden }[], what: string): StudyBurdenAgreement | null {
  const ba = blandAltman(rows.map((r) => r.burden.reference), rows.map((r) => r.burden.model), what);
  if (!ba) return null;
  return { recordings: ba.n, bias: ba.bias, sd: ba.sd, lower: ba.lower, upper: ba.upper, largest: { recording: rows[ba.largest.index].recording, difference: ba.largest.difference } };
}

/**
 * Calibration over the runs' beats pooled (N, S, V, F reference beats, as the figures), with ECE and Brier intervals
 * over the recordings as the figures have; null when a run has no probabilities.
 */
function calibrationOfRuns(inputs: readonly StudyRunInput[], draws: number): CalibrationSummary | null {
  if (inputs.some((i) => !i.labels.probs)) return null;
  return calibrationOf(calibrationInputOfRuns(inputs, draws));
}

/** The runs' beats pooled as one calibration input, each beat's recording the index of its run in `inputs`. */
function calibrationInputOfRuns(inputs: readonly StudyRunInput[], draws: number): CalibrationInput {
  const probs = new Float32Array(inputs.reduce((a, i) => a + i.labels.probs!.length, 0));
  const records = new Int32Array(inputs.reduce((a, i) => a + i.labels.reference.length, 0));
  let at = 0, beat = 0;
  inputs.forEach((i, k) => {
    probs.set(i.labels.probs!, at); at += i.labels.probs!.length;
    records.fill(k, beat, beat + i.labels.reference.length); beat += i.labels.reference.length;
  });
  return runCalibrationInput(inputs.map((i) => i.labels.reference).join(''), inputs.map((i) => i.labels.predicted).join(''), probs, inputs.map((i) => i.runId).join(', '), false, { records, draws });
}

const FIGURE_COLUMNS = [...FIGURE_CLASSES.flatMap((c) => [`${c}.se`, `${c}.ppv`]), 'accuracy', 'macroF1NSV'] as const;

function figureValue(f: StudyFigures, k: (typeof FIGURE_COLUMNS)[number]): number | null {
  if (k === 'accuracy') return f.accuracy;
  if (k === 'macroF1NSV') return f.macroF1NSV;
  const [c, m] = k.split('.') as [FigureClass, 'se' | 'ppv'];
  return f.perClass[c][m];
}

/** A run's AAMI comparison from `seconds` (its own when that is where it already starts). */
function aamiFrom(r: Scored, seconds: number): BxbComparison {
  if (seconds === r.input.scoredFromSeconds) return r.aami;
  return compareBeats(r.input.reference, r.input.test, { fs: r.input.fs, recordLength: r.input.length, startSeconds: seconds, mapping: 'aami' });
}

function pairOf(a: string, b: string, runsA: readonly Scored[], runsB: readonly Scored[], draws: number): StudyPair | null {
  const byRecording = new Map(runsB.map((r) => [r.input.recordingId, r]));
  const shared = runsA.filter((r) => byRecording.has(r.input.recordingId));
  if (!shared.length) return null;
  // Both sides on the same beats: each recording from the later of the two starts.
  const alignedFrom: StudyPair['alignedFrom'] = [];
  const both = shared.map((ra) => {
    const rb = byRecording.get(ra.input.recordingId)!;
    const from = Math.max(ra.input.scoredFromSeconds, rb.input.scoredFromSeconds);
    if (ra.input.scoredFromSeconds !== rb.input.scoredFromSeconds) alignedFrom.push({ recording: ra.input.recording, seconds: from });
    return [aamiFrom(ra, from), aamiFrom(rb, from)] as const;
  });
  const countsA = both.map(([x]) => x.counts);
  const countsB = both.map(([, y]) => y.counts);
  const recordings = shared.map((r) => r.input.recording);
  const from = shared.map((ra) => Math.max(ra.input.scoredFromSeconds, byRecording.get(ra.input.recordingId)!.input.scoredFromSeconds));
  const calibration = calibrationPair(shared.map((r, i) => fromSeconds(r.input, from[i])), shared.map((r, i) => fromSeconds(byRecording.get(r.input.recordingId)!.input, from[i])), draws);
  if (shared.length >= 2 && draws > 0) {
    const d = figureDifferenceIntervals(countsA, countsB, { draws });
    return { a, b, recordings, alignedFrom, point: { ...d.point }, intervals: { ...d.intervals }, calibration };
  }
  const point = figureDifferences(sumCounts(both.map(([x]) => x)), sumCounts(both.map(([, y]) => y)));
  return { a, b, recordings, alignedFrom, point, intervals: null, calibration };
}

/** A run's labels from `seconds` on (its own start or later: a pair's later start). */
function fromSeconds(r: StudyRunInput, seconds: number): StudyRunInput {
  if (seconds <= r.scoredFromSeconds) return r;
  const end = seconds * r.fs, s = r.labels.samples;
  let first = 0;
  while (first < s.length && s[first] < end) first++;
  const l = r.labels;
  return { ...r, labels: { reference: l.reference.slice(first), predicted: l.predicted.slice(first), probs: l.probs ? l.probs.subarray(first * 5) : null, samples: s.subarray(first) } };
}

/**
 * A − B of ECE (points) and Brier over the same recordings' beats (each pair of runs from the later of their
 * starts), with the paired record bootstrap of `compare`; null when a run has no probabilities.
 */
function calibrationPair(runsA: readonly StudyRunInput[], runsB: readonly StudyRunInput[], draws: number): StudyPair['calibration'] {
  if ([...runsA, ...runsB].some((r) => !r.labels.probs)) return null;
  const names = runsA.map((r) => r.recordingId);
  const ua = calibrationUnits(calibrationInputOfRuns(runsA, 0), names), ub = calibrationUnits(calibrationInputOfRuns(runsB, 0), names);
  // A recording where one side has no scorable beat (no N, S, V or F reference among its labels) is left out of both.
  for (const [x, y] of [[ua, ub], [ub, ua]]) for (const r of [...x.byRecord.keys()]) if (!y.byRecord.has(r)) x.byRecord.delete(r);
  if (!ua.byRecord.size) return null;
  const d = calibrationDifferenceIntervals(ua, ub, { draws: Math.max(draws, 1) });
  const pts = (v: number | null): number | null => (v === null ? null : 100 * v);
  const intervals = ua.byRecord.size >= 2 && draws > 0
    ? { ece: d.intervals.ece && { lo: 100 * d.intervals.ece.lo, hi: 100 * d.intervals.ece.hi }, brier: d.intervals.brier }
    : null;
  return { point: { ece: pts(d.point.ece), brier: d.point.brier }, intervals };
}

const csvCell = (v: string | number | null): string => (v === null ? '' : typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** ECE in percent (as the figures) and the Brier score as it is. */
const calibrationCells = (c: { ece: number; brier: number } | null): (number | null)[] => (c ? [100 * c.ece, c.brier] : [null, null]);

/** V and S burden (percent), reference then model. */
const burdenCells = (b: Record<'V' | 'S', StudyBurden> | null): (number | null)[] => (b ? [b.V.reference, b.V.model, b.S.reference, b.S.model] : [null, null, null, null]);

/** AF seconds: the reference's, found from the model's labels and their overlap, then the same from the reference's labels. */
const afCells = (a: Pick<StudyAf, 'model' | 'reference'> | null): (number | null)[] => (a ? [a.model.referenceSeconds, a.model.foundSeconds, a.model.overlapSeconds, a.reference.foundSeconds, a.reference.overlapSeconds] : [null, null, null, null, null]);

/** Per-recording rows, then a gross row per model with its interval bounds (`_lo`, `_hi`). */
export function studyCsv(models: readonly StudyModel[]): string {
  const ec57Keys = ['qrsSe', 'qrsPpv', 'vebSe', 'vebPpv', 'vebFpr', 'svebSe', 'svebPpv'] as const;
  const header = ['model', 'recording', 'row', 'adapted', 'scored_from_s', 'corrections', 'beats',
    ...FIGURE_COLUMNS.flatMap((k) => [k, `${k}_lo`, `${k}_hi`]), ...ec57Keys.map((k) => `ec57_${k}`), 'ece', 'brier',
    'V_burden_reference', 'V_burden_model', 'S_burden_reference', 'S_burden_model',
    'AF_reference_s', 'AF_found_model_s', 'AF_overlap_model_s', 'AF_found_reference_labels_s', 'AF_overlap_reference_labels_s'];
  const lines = [header.join(',')];
  for (const m of models) {
    for (const r of m.recordings) {
      lines.push([m.arm, r.recording, 'recording', m.adapted ? 'yes' : 'no', r.scoredFromSeconds, r.corrections, r.figures.beats,
        ...FIGURE_COLUMNS.flatMap((k) => [figureValue(r.figures, k), null, null]), ...ec57Keys.map((k) => r.ec57?.[k] ?? null), ...calibrationCells(r.calibration), ...burdenCells(r.burden), ...afCells(r.af)].map(csvCell).join(','));
    }
    const iv = m.gross.intervals;
    lines.push([m.arm, `${m.recordings.length} recordings`, 'gross', m.adapted ? 'yes' : 'no', null, m.recordings.reduce((a, r) => a + r.corrections, 0), m.gross.beats,
      ...FIGURE_COLUMNS.flatMap((k) => [figureValue(m.gross, k), iv?.[k]?.lo ?? null, iv?.[k]?.hi ?? null]), ...ec57Keys.map((k) => m.ec57?.gross[k] ?? null), ...calibrationCells(m.calibration), ...burdenCells(burdenOf(m.gross)), ...afCells(m.af)].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The study of the given runs (at most one per recording per model), in the order models first appear. */
export function studyOf(reference: 'annotations' | 'corrected', runs: readonly StudyRunInput[], draws = 2000): StudyResult {
  if (!Number.isInteger(draws) || draws < 0) throw new AppError(`draws must be a whole number ≥ 0, got ${JSON.stringify(draws)}`);
  const byModel = new Map<string, Scored[]>();
  for (const input of runs) {
    const list = byModel.get(input.arm) ?? [];
    const twin = list.find((s) => s.input.recordingId === input.recordingId);
    if (twin) throw new AppError(`runs ${twin.input.runId} and ${input.runId} are both ${input.arm} on ${input.recording}; a study takes one run per recording in each group (a model, or a model adapted)`);
    list.push(score(input));
    byModel.set(input.arm, list);
  }
  const ids = [...byModel.keys()];
  const models = ids.map((id) => modelOf(id, byModel.get(id)!, draws));
  const pairs: StudyPair[] = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const p = pairOf(ids[i], ids[j], byModel.get(ids[i])!, byModel.get(ids[j])!, draws);
      if (p) pairs.push(p);
    }
  }
  const bootstrapped = draws > 0 && (models.some((m) => m.gross.intervals) || pairs.some((p) => p.intervals));
  return {
    reference, models, pairs,
    method: bootstrapped ? `95 % percentile bootstrap over recordings: recordings resampled with replacement, ${draws} draws, seed 1; for a pair both models are scored on each draw` : null,
    deChazal2004: { N: { ...DE_CHAZAL_2004_DS2.N }, S: { ...DE_CHAZAL_2004_DS2.S }, V: { ...DE_CHAZAL_2004_DS2.V } },
    csv: studyCsv(models),
  };
}
