/**
 * An in-memory EcgApi for component tests: one recording with a small beat table and a run with class probabilities
 * (`PROBS`, so getMetrics gives ROC curves and the run's calibration, review triage included), two models (the run's,
 * cnn, whose card has a DS2 review triage, `CNN_CARD`, and student, whose older card has none); for the Study tab, a study over three
 * recordings classified by two models (`studyTransport`, whose `getStudy` pools fixed bxb count matrices by arm
 * (`studyArm`) with the evaluation library's own figures, intervals, sumstats and calibration, so every total adds
 * up, and whose `exportStudyReport` wraps that study in a small HTML page and a stand-in PDF).
 */
import type { AamiLabel, BeatTable, CalibrationSummary, CorrectionInput, EcgApi, MetricsRequest, RecordingSummary, RunSummary, StudyEc57, StudyFigures, StudyModel, StudyPair, StudyReportResult, StudyRequest, StudyResult } from '../../src-main/api/contract.js';
import { AAMI_LABELS, ApiError, studyArm } from '../../src-main/api/contract.js';
import { DE_CHAZAL_2004_DS2 } from '../../src-main/domain/mitdb.js';
import { figureDifferenceIntervals, figureIntervals, figuresFromCounts, macroF1NSV } from '../../src-main/evaluation/class-figures.js';
import { beatsToAnnotations } from '../../src-main/evaluation/ec57/labels.js';
import { summarizeRecords, type BeatStatistics } from '../../src-main/evaluation/ec57/stats.js';
import { ec57Metrics, metricsResult, runCalibration } from '../../src-main/services/metrics.js';
import { renderStudyLatex } from '../../src-main/services/study-latex.js';
import { burdenAgreement, burdenOf } from '../../src-main/services/study.js';
import { summarizeHolter } from '../../src-main/rhythm/index.js';
import type { Transport } from '../../src-renderer/lib/api.js';

export const REC: RecordingSummary = {
  id: 'rec-1', name: '208', path: '/data/mitdb/208', format: 'wfdb', fs: 360, length: 3600, durationSeconds: 10, startTime: null,
  leads: [{ index: 0, name: 'MLII', units: 'mV' }, { index: 1, name: 'V1', units: 'mV' }], referenceBeats: 8, reference: 'atr', warnings: [], indexing: false,
};

export const BEATS: BeatTable = {
  recordingId: 'rec-1', runId: 'run-1', fs: 360,
  samples: [100, 500, 900, 1300, 1700, 2100, 2500, 2900],
  reference: 'NNVNNSNV',
  predicted: 'NNNNVSNV',
  confidence: [0.99, 0.97, 0.55, 0.98, 0.7, 0.9, 0.52, 0.95],
  symbols: 'NNVNNANV',
};

/**
 * The model's probabilities behind `BEATS` (AAMI_LABELS order, 5 per beat): its label gets the beat's confidence, the
 * rest goes mostly to the annotator's class where the model got it wrong, evenly elsewhere. Over the 8 beats the model
 * says 82 % on average and is right 6 times (75 %): over-confident, ECE 12.2 %, MCE 70.0 %. Float32, as the service
 * stores them, so 0.7 and 0.9 fall just under their bins: four non-empty bins, 0.5–0.6 (beats 2 and 6), 0.6–0.7
 * (beat 4, wrong), 0.8–0.9 (beat 5) and 0.9–1 (the other four).
 */
export const PROBS: Float32Array = (() => {
  const K = AAMI_LABELS.length;
  const out = new Float32Array(BEATS.samples.length * K);
  for (let i = 0; i < BEATS.samples.length; i++) beatProbs(out, i, AAMI_LABELS.indexOf(BEATS.reference[i] as AamiLabel), AAMI_LABELS.indexOf(BEATS.predicted[i] as AamiLabel), BEATS.confidence[i]);
  return out;
})();

/** Beat `i`'s probabilities into `out`: `conf` for class `p`; of the rest, 80 % to `r` when it is another class. */
function beatProbs(out: Float32Array, i: number, r: number, p: number, conf: number): void {
  const K = AAMI_LABELS.length, rest = 1 - conf;
  const wrong = r >= 0 && r !== p;
  for (let k = 0; k < K; k++) out[i * K + k] = k === p ? conf : wrong ? (k === r ? 0.8 * rest : (0.2 * rest) / (K - 2)) : rest / (K - 1);
}

/**
 * cnn's model card as shipped: DS2 figures with the calibration's review triage (the figures causal-student-int8's card
 * gives: checking the least confident 10 % of the 49 705 DS2 beats, confidence ≤ 78.0 %, finds 50.6 % of its 2628
 * errors; the reliability bins and classwise ECE are left out). Review's low-confidence jump uses its 10 % point.
 */
export const CNN_CARD = {
  name: 'cnn',
  ds2: {
    accuracy: 94.7,
    calibration: {
      beats: 49705, meanConfidence: 0.9223, accuracy: 0.9471, ece: 0.0249, mce: 0.5224, brier: 0.0979, errors: 2628,
      triage: [
        { share: 0.01, beats: 498, confidenceBelow: 0.32271310687065125, errorsFound: 131, errorShare: 0.04984779299847793 },
        { share: 0.02, beats: 995, confidenceBelow: 0.46711063385009766, errorsFound: 241, errorShare: 0.09170471841704718 },
        { share: 0.05, beats: 2486, confidenceBelow: 0.6321644186973572, errorsFound: 744, errorShare: 0.2831050228310502 },
        { share: 0.1, beats: 4971, confidenceBelow: 0.780034065246582, errorsFound: 1330, errorShare: 0.5060882800608828 },
        { share: 0.2, beats: 9941, confidenceBelow: 0.908315896987915, errorsFound: 1928, errorShare: 0.7336377473363774 },
        { share: 0.5, beats: 24853, confidenceBelow: 0.9696537852287292, errorsFound: 2329, errorShare: 0.8862252663622526 },
      ],
    },
  },
};

const DEVICE_METHODS = ['listDevices', 'addDevice', 'pairDevice', 'forgetDevice', 'pushDeviceModel', 'rollbackDevice', 'getDeviceStatus', 'startDeviceWatch', 'stopDeviceWatch', 'startDeviceReplay', 'stopDeviceReplay'] as const satisfies readonly (keyof EcgApi)[];

export function fakeTransport(): { transport: Transport; calls: string[] } {
  const calls: string[] = [];
  const api: EcgApi = {
    async openRecording(path) { calls.push(`open ${path}`); if (path.includes('bad')) throw new ApiError({ name: 'FormatError', message: `${path}: no such file or WFDB record`, expected: true }); return REC; },
    async listRecordings() { return [REC]; },
    async closeRecording() {},
    async browse() { return { dir: '/data', entries: [] }; },
    async getWaveform(req) { return { kind: 'raw', recordingId: req.recordingId, from: req.from, to: req.to, fs: 360, step: 1, leads: REC.leads.map((l) => ({ ...l, values: new Array(req.to - req.from).fill(0) })) }; },
    async listBeats(_r, runId) { return runId ? BEATS : { ...BEATS, runId: null, predicted: '--------' }; },
    async listModels() {
      return [
        { id: 'cnn', name: 'CNN', description: '', classes: ['N', 'S', 'V', 'F', 'Q'], input: '', card: CNN_CARD },
        // An older card: DS2 figures without the calibration (Review falls back to below 60 %).
        { id: 'student', name: 'Student', description: '', classes: ['N', 'S', 'V', 'F', 'Q'], input: '', card: { name: 'student', ds2: { accuracy: 93.1 } } },
      ];
    },
    async startClassification(ids, modelId, options) { calls.push(`classify ${JSON.stringify([ids, modelId, options ?? {}])}`); return { jobId: 'job-1' }; },
    async cancelJob() {},
    async getJob(id) { return { id, kind: 'classify', state: 'running', recordingIds: ['rec-1'], modelId: 'cnn', progress: 0.5, message: '', runIds: [] }; },
    async listRuns() { return [{ id: 'run-1', recordingId: 'rec-1', modelId: 'cnn', createdAt: new Date(0).toISOString(), beats: 8, disagreements: 2, elapsedMs: 1, beatSource: 'detector' }]; },
    async getMetrics(req: MetricsRequest) {
      calls.push(`metrics ${req.reference} ${req.corrections?.length ?? 0} ${req.ec57From ?? 'minute5'}`);
      const ref = [...BEATS.reference];
      for (const c of req.reference === 'corrected' ? req.corrections ?? [] : []) { const i = BEATS.samples.indexOf(c.sample); if (i >= 0) ref[i] = c.label; }
      // EC57 figures by the service's own helper on these 8 beats: from minute 5 none (the recording lasts 10 s).
      const classes = (labels: string | string[]): number[] => [...labels].map((l) => AAMI_LABELS.indexOf(l as AamiLabel));
      const ec57 = ec57Metrics(beatsToAnnotations(BEATS.samples, classes(ref)), beatsToAnnotations(BEATS.samples, classes(BEATS.predicted)), { fs: REC.fs, length: REC.length, from: req.ec57From ?? 'minute5' });
      return metricsResult('run-1', req.reference, req.corrections?.length ?? 0, ref.join(''), BEATS.predicted, PROBS, null, ec57);
    },
    async compareRuns() { return []; },
    async getStudy(req) { calls.push(`study ${JSON.stringify(req)}`); return fakeStudy(req); },
    async exportStudyReport(req) { calls.push(`studyReport ${JSON.stringify(req)}`); return fakeStudyReport(fakeStudy(req)); },
    async getTemplates() { return []; },
    async exportCorrections() { return { wfdbBase64: '', csv: '', fileName: '208.rev' }; },
    async getHolterSummary(req) {
      calls.push(`holter ${req.labels ?? 'final'} ${req.corrections?.length ?? 0} ${req.pauseSeconds}`);
      const final = [...(req.labels === 'reference' ? BEATS.reference : BEATS.predicted)];
      for (const c of req.corrections ?? []) { const i = BEATS.samples.indexOf(c.sample); if (i >= 0) final[i] = c.label; }
      return summarizeHolter({ fs: BEATS.fs, samples: BEATS.samples, labels: final.join(''), length: REC.length }, { pauseSeconds: req.pauseSeconds });
    },
    async exportReport() { return { html: '<p>r</p>', pdfBase64: null, pdfError: 'none', csv: '', holter: summarizeHolter({ fs: BEATS.fs, samples: BEATS.samples, labels: BEATS.predicted, length: REC.length }) }; },
    // The Devices view has its own fake (devices-fake.ts); here a device call is a test's mistake, said loudly.
    ...Object.fromEntries(DEVICE_METHODS.map((m) => [m, async (): Promise<never> => { throw new ApiError({ name: 'FakeError', message: `${m} is not in this fake (the Devices view's is devices-fake.ts)`, expected: true }); }])) as Record<(typeof DEVICE_METHODS)[number], () => Promise<never>>,
  };
  return { transport: { api, kind: 'browser', onEvent: () => () => {} }, calls };
}

/** The study's recordings: 208 (the fake's REC, here 30 min long), 100, and a 4-minute excerpt too short for EC57. */
export const STUDY_RECORDINGS: RecordingSummary[] = [
  { ...REC, length: 650_000, durationSeconds: 1805, referenceBeats: 2953 },
  { ...REC, id: 'rec-2', name: '100', path: '/data/mitdb/100', length: 650_000, durationSeconds: 1805, referenceBeats: 2273 },
  { ...REC, id: 'rec-3', name: '232x', path: '/data/mitdb/232x', length: 86_400, durationSeconds: 240, referenceBeats: 282 },
];

const run = (id: string, recordingId: string, modelId: string, day: number): RunSummary => ({
  id, recordingId, modelId, createdAt: new Date(Date.UTC(2026, 0, day)).toISOString(), beats: 0, disagreements: 0, elapsedMs: 1, beatSource: 'detector',
});
/** cnn and student on each recording; cnn's run-1 on 208 is older than s-cnn-1, which the Study tab takes. */
export const STUDY_RUNS: RunSummary[] = [
  run('run-1', 'rec-1', 'cnn', 1),
  run('s-cnn-1', 'rec-1', 'cnn', 2), run('s-cnn-2', 'rec-2', 'cnn', 2), run('s-cnn-3', 'rec-3', 'cnn', 2),
  run('s-stu-1', 'rec-1', 'student', 3), run('s-stu-2', 'rec-2', 'student', 3), run('s-stu-3', 'rec-3', 'student', 3),
];

/** Reference N S V F rows × predicted n s v f q columns of each run (bxb's other rows and columns are 0). */
const STUDY_COUNTS: Record<string, number[][]> = {
  'run-1': [[1530, 20, 32, 4, 0], [1, 1, 0, 0, 0], [30, 0, 950, 12, 0], [160, 0, 60, 153, 0]],
  // cnn adapted to 208 and to 100 (tests that add adapted runs use these ids).
  's-cnn-a1': [[1490, 6, 14, 2, 0], [1, 1, 0, 0, 0], [12, 0, 820, 6, 0], [110, 0, 40, 140, 0]],
  's-cnn-a2': [[1850, 3, 1, 0, 0], [3, 26, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0]],
  's-cnn-1': [[1540, 12, 30, 4, 0], [1, 1, 0, 0, 0], [25, 0, 955, 12, 0], [150, 0, 60, 163, 0]],
  's-cnn-2': [[2230, 7, 2, 0, 0], [6, 27, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0]],
  's-cnn-3': [[48, 2, 0, 0, 0], [40, 190, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 2]],
  's-stu-1': [[1500, 30, 50, 6, 0], [2, 0, 0, 0, 0], [40, 2, 940, 10, 0], [190, 0, 80, 103, 0]],
  's-stu-2': [[2200, 35, 4, 0, 0], [12, 21, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0]],
  's-stu-3': [[45, 5, 0, 0, 0], [70, 160, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 2]],
};
/** Draws of the fake's bootstraps (the service's default is 2000; a few hundred keep the tests fast). */
export const STUDY_DRAWS = 300;

/**
 * A run's 7×7 bxb matrix; with the corrected reference each correction to label L moves one beat the model called L
 * from another reference row to row L (the reviewer sided with the model), so the figures move as they should.
 */
function studyCounts(runId: string, corrections: readonly CorrectionInput[]): Int32Array {
  const block = STUDY_COUNTS[runId].map((row) => [...row]);
  for (const c of corrections) {
    const l = 'NSVF'.indexOf(c.label);
    if (l < 0) continue;
    const from = [0, 1, 2, 3].find((r) => r !== l && block[r][l] > 0);
    if (from === undefined) continue;
    block[from][l]--;
    block[l][l]++;
  }
  const counts = new Int32Array(49);
  block.forEach((row, r) => row.forEach((v, c) => { counts[r * 7 + c] = v; }));
  return counts;
}

/**
 * The confidence each fake model gives its labels, taken in turn beat by beat: cnn's right labels are surer than its
 * wrong ones and it is right more often than it says (under-confident); student says 95 % and more, wrong or right
 * (over-confident).
 */
const STUDY_CONFIDENCE: Record<string, { right: number[]; wrong: number[] }> = {
  cnn: { right: [0.995, 0.99, 0.98, 0.97, 0.95, 0.92, 0.88, 0.8, 0.7, 0.62], wrong: [0.45, 0.55, 0.6, 0.7, 0.8, 0.9] },
  student: { right: [0.999, 0.995, 0.99, 0.99, 0.98, 0.97, 0.96, 0.95], wrong: [0.9, 0.95, 0.97, 0.85, 0.99, 0.8] },
};

/** A run's beats from its bxb block (rows N S V F, columns N S V F Q), with probabilities as `PROBS` makes them. */
interface StudyBeats { reference: string; predicted: string; probs: Float32Array }
function studyBeats(counts: Int32Array, modelId: string): StudyBeats {
  const conf = STUDY_CONFIDENCE[modelId] ?? STUDY_CONFIDENCE.cnn;
  let n = 0;
  for (let r = 0; r < 4; r++) for (let c = 0; c < 5; c++) n += counts[r * 7 + c];
  const reference: string[] = [], predicted: string[] = [];
  const probs = new Float32Array(n * AAMI_LABELS.length);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 5; c++) {
      const list = r === c ? conf.right : conf.wrong;
      for (let j = 0; j < counts[r * 7 + c]; j++) {
        beatProbs(probs, reference.length, r, c, list[(j + 3 * r + c) % list.length]);
        reference.push(AAMI_LABELS[r]);
        predicted.push(AAMI_LABELS[c]);
      }
    }
  }
  return { reference: reference.join(''), predicted: predicted.join(''), probs };
}

/** Calibration of runs' beats pooled, as the service pools an arm's (the library's own figures). */
function studyCalibration(list: readonly { run: RunSummary; beats: StudyBeats }[], draws = 0): CalibrationSummary | null {
  const probs = new Float32Array(list.reduce((a, x) => a + x.beats.probs.length, 0));
  const records: number[] = [];
  let at = 0;
  list.forEach((x, k) => { probs.set(x.beats.probs, at); at += x.beats.probs.length; for (let i = 0; i < x.beats.reference.length; i++) records.push(k); });
  return runCalibration(list.map((x) => x.beats.reference).join(''), list.map((x) => x.beats.predicted).join(''), probs, list.map((x) => x.run.id).join(', '), true, { records, draws });
}

function studyFigures(counts: ArrayLike<number>): StudyFigures {
  const f = figuresFromCounts(counts);
  const beats = Object.values(f.perClass).reduce((a, c) => a + c.support, 0);
  return { beats, confusion: f.confusion, perClass: f.perClass, accuracy: f.accuracy, macroF1NSV: macroF1NSV(f) };
}

const ec57Of = (s: BeatStatistics): StudyEc57 => ({ qrsSe: s.qrsSensitivity, qrsPpv: s.qrsPositivePredictivity, vebSe: s.vebSensitivity, vebPpv: s.vebPositivePredictivity, vebFpr: s.vebFalsePositiveRate, svebSe: s.svebSensitivity, svebPpv: s.svebPositivePredictivity });
const comparison = (counts: Int32Array) => ({ fs: 360, start: 0, end: 0, matchWindow: 54, counts, rrErrorSumSquares: 0, rrErrorCount: 0, shutdownSeconds: 0 });
const sum = (list: readonly Int32Array[]): Int32Array => { const t = new Int32Array(49); for (const c of list) for (let i = 0; i < 49; i++) t[i] += c[i]; return t; };

/**
 * What the service answers for these runs (one per recording per arm, grouped by `studyArm` as the service groups
 * them, in the order the arms first appear), from the fixed matrices above (`runs`: the runs the service knows; an
 * adapted one is scored from the end of its learning period, here with whatever matrix its id has).
 */
export function fakeStudy(req: StudyRequest, runs: readonly RunSummary[] = STUDY_RUNS): StudyResult {
  const draws = req.draws ?? STUDY_DRAWS;
  const byModel = new Map<string, { run: RunSummary; counts: Int32Array; beats: StudyBeats; corrections: number }[]>();
  for (const id of req.runIds) {
    const r = runs.find((x) => x.id === id);
    if (!r) throw new ApiError({ name: 'NotFoundError', message: `no run ${id}`, expected: true });
    const corrections = req.reference === 'corrected' ? req.corrections?.[id] ?? [] : [];
    const arm = studyArm(r);
    const list = byModel.get(arm) ?? [];
    if (list.some((x) => x.run.recordingId === r.recordingId)) throw new ApiError({ name: 'AppError', message: `two ${arm} runs on ${r.recordingId}`, expected: true });
    const counts = studyCounts(id, corrections);
    list.push({ run: r, counts, beats: studyBeats(counts, r.modelId), corrections: corrections.length });
    byModel.set(arm, list);
  }
  const nameOf = (recordingId: string): string => STUDY_RECORDINGS.find((x) => x.id === recordingId)!.name;
  // rec-3 lasts 4 minutes: no EC57 figures from minute 5.
  const reachesMinute5 = (recordingId: string): boolean => STUDY_RECORDINGS.find((x) => x.id === recordingId)!.durationSeconds > 300;
  const models: StudyModel[] = [...byModel.entries()].map(([arm, list]) => {
    const ec57Runs = list.filter((x) => reachesMinute5(x.run.recordingId)).map((x) => comparison(x.counts));
    const s = ec57Runs.length ? summarizeRecords(ec57Runs) : null;
    const recordings = list.map((x) => {
      const figures = studyFigures(x.counts);
      return {
        runId: x.run.id, recordingId: x.run.recordingId, recording: nameOf(x.run.recordingId), scoredFromSeconds: (x.run.adaptation?.minutes ?? 0) * 60, corrections: x.corrections,
        figures, ec57: reachesMinute5(x.run.recordingId) ? ec57Of(summarizeRecords([comparison(x.counts)]).gross) : null,
        calibration: ((c) => (c ? { ece: c.ece, brier: c.brier } : null))(studyCalibration([x])),
        burden: burdenOf(figures),
        af: null, // the fake recordings have no rhythm annotations
      };
    });
    return {
      arm, modelId: list[0].run.modelId, adapted: list.some((x) => x.run.adaptation),
      recordings,
      burden: { V: burdenAgreement(recordings, 'V'), S: burdenAgreement(recordings, 'S') },
      gross: { ...studyFigures(sum(list.map((x) => x.counts))), intervals: list.length >= 2 && draws > 0 ? { ...figureIntervals(list.map((x) => x.counts), { draws }).intervals } : null },
      ec57: s ? { recordings: ec57Runs.length, gross: ec57Of(s.gross), average: ec57Of(s.average) } : null,
      calibration: studyCalibration(list, draws),
      af: null,
    };
  });
  const pairs: StudyPair[] = [];
  const ids = [...byModel.keys()];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const b = new Map(byModel.get(ids[j])!.map((x) => [x.run.recordingId, x]));
      const shared = byModel.get(ids[i])!.filter((x) => b.has(x.run.recordingId));
      if (!shared.length) continue;
      const d = figureDifferenceIntervals(shared.map((x) => x.counts), shared.map((x) => b.get(x.run.recordingId)!.counts), { draws: Math.max(draws, 1) });
      // the service scores both sides from the later start; the fake's fixed matrices stand for that, and it reports where
      const from = (x: { run: RunSummary }): number => (x.run.adaptation?.minutes ?? 0) * 60;
      const alignedFrom = shared.filter((x) => from(x) !== from(b.get(x.run.recordingId)!)).map((x) => ({ recording: nameOf(x.run.recordingId), seconds: Math.max(from(x), from(b.get(x.run.recordingId)!)) }));
      // the fake's calibration difference is that of the two arms' pooled calibration, without intervals; it cannot
      // rescore a run from a later start, so an aligned pair gets none (the service rescores it)
      const ca = models[i].calibration, cb = models[j].calibration;
      const calibration = ca && cb && !alignedFrom.length ? { point: { ece: 100 * (ca.ece - cb.ece), brier: ca.brier - cb.brier }, intervals: null } : null;
      pairs.push({ a: ids[i], b: ids[j], recordings: shared.map((x) => nameOf(x.run.recordingId)), alignedFrom, point: { ...d.point }, intervals: shared.length >= 2 && draws > 0 ? { ...d.intervals } : null, calibration });
    }
  }
  const cell = (v: string): string => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  // The service's last two columns: ECE in percent and the Brier score.
  const calib = (c: { ece: number; brier: number } | null): string => (c ? `${100 * c.ece},${c.brier}` : ',');
  const csv = ['model,recording,beats,accuracy,ece,brier', ...models.flatMap((m) => [...m.recordings.map((r) => `${cell(m.arm)},${r.recording},${r.figures.beats},${r.figures.accuracy},${calib(r.calibration)}`), `${cell(m.arm)},gross,${m.gross.beats},${m.gross.accuracy},${calib(m.calibration)}`])].join('\n') + '\n';
  return {
    reference: req.reference, models, pairs,
    method: draws > 0 ? `95 % percentile bootstrap over recordings, ${draws} draws, seed 1 (fake)` : null,
    deChazal2004: { N: { ...DE_CHAZAL_2004_DS2.N }, S: { ...DE_CHAZAL_2004_DS2.S }, V: { ...DE_CHAZAL_2004_DS2.V } },
    csv,
  };
}

/** A stand-in PDF (base64 of a few bytes that start as a PDF does). */
export const FAKE_STUDY_PDF = btoa('%PDF-1.7\n% fake study report\n%%EOF\n');

/**
 * The fake's printable study: an HTML page with the service's title line (`Beat classification study — N recordings,
 * M models`) and one heading per arm, the stand-in PDF, the study's CSV, and the study itself.
 */
export function fakeStudyReport(study: StudyResult, pdf: { pdfBase64: string | null; pdfError: string | null } = { pdfBase64: FAKE_STUDY_PDF, pdfError: null }): StudyReportResult {
  const recordings = new Set(study.models.flatMap((m) => m.recordings.map((r) => r.recording)));
  const html = `<!doctype html><html><head><title>ECG Review study</title></head><body><h1>Beat classification study — ${recordings.size} recording${recordings.size === 1 ? '' : 's'}, ${study.models.length} model${study.models.length === 1 ? '' : 's'}</h1>${study.models.map((m) => `<h2>${m.arm}</h2>`).join('')}</body></html>`;
  return { html, ...pdf, csv: study.csv, latex: renderStudyLatex(study), study };
}

/** The fake API with the study's three recordings and seven runs open. */
export function studyTransport(): { transport: Transport; calls: string[] } {
  const t = fakeTransport();
  t.transport.api.listRecordings = async () => STUDY_RECORDINGS;
  // Fresh objects on every call, as over the wire.
  t.transport.api.listRuns = async () => STUDY_RUNS.map((r) => ({ ...r }));
  return t;
}
