/**
 * The one API between the review app's renderer and the domain core. Both transports implement exactly this
 * interface: Electron IPC (preload → ipcMain, see `channels.ts`) and HTTP + WebSocket in browser mode
 * (`src-main/server/`). Every value is plain JSON (numbers, strings, arrays, objects) so the two transports give
 * byte-identical answers; the renderer never receives a whole raw signal, only pixel-reduced columns or short
 * windows of samples.
 *
 * This module has no Node or DOM dependency: the renderer, the preload script and the main process all import it.
 */
import type { CalibrationFigures } from '../domain/calibration.js';
import type { AfAgreement, HolterSummary } from '../domain/holter.js';
import type { ActiveModel as DeviceModelInfo, DeviceRow as DeviceSummary, DeviceStatus as DeviceStatusInfo, StreamMessage as DeviceLiveMessage } from '../domain/device.js';

export type { HolterSummary } from '../domain/holter.js';
export type { CalibrationFigures, ReliabilityBin } from '../domain/calibration.js';
/** A device's model, its status, its row in the Devices view and what it streams while monitoring. */
export type { DeviceModelInfo, DeviceStatusInfo, DeviceSummary, DeviceLiveMessage };

export type AamiLabel = 'N' | 'S' | 'V' | 'F' | 'Q';
export const AAMI_LABELS: readonly AamiLabel[] = ['N', 'S', 'V', 'F', 'Q'];

export interface LeadSummary {
  index: number;
  name: string;
  units: string;
}

export interface RecordingSummary {
  /** Stable id of the open recording in this session (derived from the resolved path). */
  id: string;
  name: string;
  path: string;
  format: string;
  fs: number;
  /** Samples per lead. */
  length: number;
  durationSeconds: number;
  startTime: string | null;
  leads: LeadSummary[];
  /** Reference (annotator) beats found beside the recording; 0 when there is none, null while still being read (long recordings). */
  referenceBeats: number | null;
  /** Reference annotator the beats came from (`atr`, `edf+`), or null. */
  reference: string | null;
  warnings: string[];
  /** True while a long recording is being indexed in the background (overviews wait for it). */
  indexing: boolean;
}

export interface WaveformRequest {
  recordingId: string;
  /** Lead indices; default all. */
  leads?: number[];
  /** First sample (inclusive). */
  from: number;
  /** Last sample (exclusive). */
  to: number;
  /** Width of the plot in device pixels; decides between raw samples and min/max columns. */
  pixelWidth: number;
}

/**
 * Either raw physical samples (narrow views: at most 2 samples per pixel) or, for wide views, one min/max pair
 * per pixel column. Columns cover `[from + k*step, from + (k+1)*step)`; NaN gaps are sent as null.
 */
export type Waveform =
  | { kind: 'raw'; recordingId: string; from: number; to: number; fs: number; step: 1; leads: { index: number; name: string; units: string; values: (number | null)[] }[] }
  | { kind: 'minmax'; recordingId: string; from: number; to: number; fs: number; step: number; leads: { index: number; name: string; units: string; min: (number | null)[]; max: (number | null)[] }[] };

/**
 * The beats of a recording (or of a run) in columns: one entry per beat. Labels are strings with one
 * character per beat: `N S V F Q`, or `-` when absent (no reference beat matched / not classified).
 */
export interface BeatTable {
  recordingId: string;
  runId: string | null;
  fs: number;
  /** Beat positions in samples (QRS fiducial), ascending. */
  samples: number[];
  /** Reference label per beat (from the annotator), `-` for a detected beat with no reference match. */
  reference: string;
  /** Model label per beat, `-` when the beat has not been classified. */
  predicted: string;
  /** Model confidence (softmax probability of the predicted class) per beat, 0 when not classified. */
  confidence: number[];
  /** Original MIT symbol of the reference beat (`N`, `L`, `A`, `V`…), `-` when none. */
  symbols: string;
}

/** The rule-based baseline's model id (`listModels` lists it last): no network, so nothing to adapt. */
export const BASELINE_MODEL_ID = 'rr-morphology-baseline';

export interface ModelSummary {
  id: string;
  name: string;
  description: string;
  classes: string[];
  /** Input window the model expects, for display. */
  input: string;
  /** Figures from the model card (e.g. DS2 sensitivity), shown as they are. */
  card: Record<string, unknown>;
}

export type JobState = 'running' | 'done' | 'cancelled' | 'failed';

export interface JobSummary {
  id: string;
  kind: 'classify';
  state: JobState;
  recordingIds: string[];
  modelId: string;
  /** 0..1 */
  progress: number;
  message: string;
  /** Run ids produced (one per recording) once done. */
  runIds: string[];
  error?: string;
}

export interface RunSummary {
  id: string;
  recordingId: string;
  modelId: string;
  createdAt: string;
  beats: number;
  /** Beats where a reference label exists and differs from the prediction. */
  disagreements: number;
  /** Milliseconds the whole classification took (detection + classification). */
  elapsedMs: number;
  /** How beats were found: `detector` (QRS detector) or `reference` (annotator positions). */
  beatSource: 'detector' | 'reference';
  /** Set when the model was adapted to this patient before classifying (`startClassification`'s `adapt`). */
  adaptation?: RunAdaptation;
}

/**
 * Patient-specific adaptation (EC57's learning period; Hu et al. 1997, Kiranyaz et al. 2016): before classifying,
 * a copy of the model is fine-tuned on the labelled beats of the recording's first `minutes`, once per recording.
 * Labels come from the recording's reference annotator, or from a run of the same recording: its final labels,
 * the model's with the reviewer's corrections applied. Score such a run from minute `minutes` on: its figures are
 * patient-specific, not comparable with patient-independent ones.
 */
export interface AdaptRequest {
  /** Learning period: the first `minutes` of the recording (> 0, at most its duration). */
  minutes: number;
  labels: { from: 'reference' } | { from: 'run'; runId: string; corrections?: CorrectionInput[] };
}

export interface ClassificationOptions {
  /** Beat positions: the reference annotations or the QRS detector; default the reference when there is one. */
  beats?: 'reference' | 'detector';
  adapt?: AdaptRequest;
}

/** How a run's model was adapted to the patient (see `AdaptRequest`). */
export interface RunAdaptation {
  minutes: number;
  /**
   * Where the labels came from: the reference annotator (`atr`, or `embedded` for EDF+), or a run's final labels
   * with `corrections` of the reviewer's corrections applied to its beats in the learning period.
   */
  labels: { from: 'reference'; annotator: string } | { from: 'run'; runId: string; corrections: number };
  /** Labelled beats learnt from, per class (beats of classes the model does not output, such as Q, are left out). */
  beats: Partial<Record<AamiLabel, number>>;
  epochs: number;
  /** Mean loss of the first and of the last epoch (averaged over an ensemble's members). */
  firstLoss: number;
  lastLoss: number;
}

/** One line for a run list or header: `adapted on 80 N, 215 S beats, first 5 min of atr`. */
export function describeAdaptation(a: RunAdaptation): string {
  const beats = AAMI_LABELS.filter((l) => a.beats[l]).map((l) => `${a.beats[l]} ${l}`).join(', ');
  const of = a.labels.from === 'reference'
    ? a.labels.annotator
    : `run ${a.labels.runId}'s reviewed labels (${a.labels.corrections} correction${a.labels.corrections === 1 ? '' : 's'})`;
  return `adapted on ${beats || 'no'} beats, first ${a.minutes} min of ${of}`;
}

/** One reviewer correction as the renderer stores it and sends it back for metrics and exports. */
export interface CorrectionInput {
  /** Beat position in samples. */
  sample: number;
  label: AamiLabel;
}

/**
 * Where the EC57 comparison starts: `minute5`, EC57's rule (the first 5 minutes are a learning period), `start`, or
 * `learning`: the end of an adapted run's learning period (`RunSummary.adaptation.minutes`).
 */
export type Ec57From = 'minute5' | 'start' | 'learning';

export interface MetricsRequest {
  runId: string;
  /** `annotations`: the annotator file; `corrected`: the annotator with the reviewer's corrections applied. */
  reference: 'annotations' | 'corrected';
  corrections?: CorrectionInput[];
  /** Start of the EC57 figures (bxb, rxr); default `minute5`. */
  ec57From?: Ec57From;
}

/** Two or more runs of one recording compared beat by beat (`compareRuns`). */
export interface RunComparisonRequest {
  runIds: string[];
  reference: 'annotations' | 'corrected';
  corrections?: CorrectionInput[];
}

/** One pair of runs on the reference beats both labelled: accuracies and McNemar's test of the difference. */
export interface RunPairTest {
  a: string;
  b: string;
  /** Reference beats both runs labelled (matched within 150 ms). */
  beats: number;
  accuracyA: number | null;
  accuracyB: number | null;
  /** Beats only A got right, and only B. */
  onlyA: number;
  onlyB: number;
  method: 'exact' | 'chi-square';
  statistic: number;
  /** Two-sided; beats of one recording are not independent, so read it as a guide. */
  pValue: number;
}

export interface ClassMetrics {
  label: AamiLabel;
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  /** Sensitivity, specificity, positive predictivity, F1 — null when undefined (0/0). */
  se: number | null;
  sp: number | null;
  ppv: number | null;
  f1: number | null;
}

export interface RocCurve {
  label: AamiLabel;
  /** One-vs-rest, from the model confidence of that class. */
  fpr: number[];
  tpr: number[];
  auc: number;
  recall: number[];
  precision: number[];
}

/** Calibration of the model's confidence (`domain/calibration.ts`): reliability diagram, ECE, MCE, Brier, classwise ECE. */
export type CalibrationSummary = CalibrationFigures;

/**
 * One kind of run as WFDB `rxr` counts it. Se: of the reference's runs (`tpSe` + `fn`), those the run found;
 * +P: of the run's runs (`tpPpv` + `fp`), those the reference confirms. Fractions, null when undefined (0/0).
 */
export interface Ec57RunFigures {
  se: number | null;
  ppv: number | null;
  tpSe: number;
  fn: number;
  tpPpv: number;
  fp: number;
  /** Runs of this kind in the reference (`tpSe` + `fn`). */
  reference: number;
}

/** Couplets (2 beats), short runs (3–5) and long runs (6 or more; VF/AF episodes count as long runs). */
export interface Ec57RunTable {
  couplets: Ec57RunFigures;
  shortRuns: Ec57RunFigures;
  longRuns: Ec57RunFigures;
}

/**
 * ANSI/AAMI EC57 figures of a run against the chosen reference, counted as WFDB does: beat by beat as `bxb` pairs
 * beats (150 ms window, bxb's class table: j and e are S) with `sumstats`' gross VEB and SVEB figures, and run by
 * run as `rxr` does. Fractions (0–1), null when undefined (no reference events, or none found).
 */
export interface Ec57Metrics {
  from: Ec57From;
  /** First second compared (300 from minute 5, 0 from the start). */
  startSeconds: number;
  /** Ventricular ectopic beats: Se = TP / (TP + FN), +P = TP / (TP + FP), FPR = FP / (TN + FP). */
  veb: { se: number | null; ppv: number | null; fpr: number | null; tp: number; fn: number; fp: number; tn: number; reference: number };
  /** Supraventricular ectopic beats (sumstats' +P: F beats labelled S are not counted as false positives). */
  sveb: { se: number | null; ppv: number | null; tp: number; fn: number; fp: number; reference: number };
  /** rxr: ventricular runs (V and F beats) and supraventricular runs (S beats, and N beats inside atrial fibrillation or flutter). */
  runs: { ve: Ec57RunTable; sve: Ec57RunTable };
}

export interface MetricsResult {
  runId: string;
  reference: 'annotations' | 'corrected';
  corrections: number;
  /** Beats compared (both a reference and a prediction). */
  beats: number;
  /**
   * The per-class figures, confusion and curves count beats from this time (s): 0, or for an adapted run the end of
   * its learning period, whose beats its model learnt from.
   */
  scoredFromSeconds: number;
  accuracy: number | null;
  classes: ClassMetrics[];
  /** confusion[r][p]: reference class r (rows) predicted as p (columns), in AAMI_LABELS order. */
  confusion: number[][];
  roc: RocCurve[];
  /** How far the model's confidence can be trusted, over the same beats; null when the run has no probabilities. */
  calibration: CalibrationSummary | null;
  /** EC57 QRS detection statistics against the annotator (only when the beats came from the detector). */
  qrs: { tp: number; fn: number; fp: number; se: number | null; ppv: number | null } | null;
  /** EC57 beat-by-beat and run-by-run figures; null when they cannot be computed (`ec57Unavailable` says why). */
  ec57: Ec57Metrics | null;
  ec57Unavailable: string | null;
}

/**
 * A study: several recordings scored together, the way a paper reports a classifier (de Chazal et al. 2004's
 * figures pooled over patients). Each model's runs are pooled over its recordings: per-recording rows, the gross
 * figures over all their beats, EC57's gross and average VEB/SVEB figures (sumstats), and 95 % intervals from a
 * bootstrap over recordings, because beats of one patient are not independent. Two models classified on the same
 * recordings get paired intervals of their differences. `ecg-review evaluate --mapping aami --ci` gives the same
 * figures from files.
 */
export interface StudyRequest {
  /** The runs to pool, grouped by `studyArm`: at most one run per recording in each group. */
  runIds: string[];
  /** `corrected`: each recording's annotator with the reviewer's corrections to that run (`corrections[runId]`). */
  reference: 'annotations' | 'corrected';
  corrections?: Record<string, CorrectionInput[]>;
  /** Bootstrap resamples for the intervals (default 2000; 0: no intervals). */
  draws?: number;
}

/** A 95 % interval (percent, or percentage points for a difference). */
export interface StudyInterval { lo: number; hi: number }

/** Figures in percent; the keys of `intervals` are `N.se`, `N.ppv`, … `F.ppv`, `accuracy`, `macroF1NSV`. */
export interface StudyFigures {
  /** Reference beats counted (N, S, V, F rows). */
  beats: number;
  /** Rows reference N S V F, columns predicted N S V F Q. */
  confusion: number[][];
  perClass: Record<'N' | 'S' | 'V' | 'F', { se: number | null; ppv: number | null; f1: number | null; support: number }>;
  accuracy: number | null;
  /** Mean F1 of N, S and V: the figure model selection uses. */
  macroF1NSV: number | null;
}

/** EC57 beat-by-beat figures in percent, from minute 5 (bxb's classes, sumstats' gross and average). */
export interface StudyEc57 {
  /** QRS detection (meaningful for runs on detected beats; 100 % at the reference positions). */
  qrsSe: number | null;
  qrsPpv: number | null;
  vebSe: number | null;
  vebPpv: number | null;
  vebFpr: number | null;
  svebSe: number | null;
  svebPpv: number | null;
}

export interface StudyRecording {
  runId: string;
  recordingId: string;
  recording: string;
  /** Per-class figures count beats from here (s): 0, or an adapted run's end of learning. */
  scoredFromSeconds: number;
  /** Corrections applied to this recording's reference. */
  corrections: number;
  figures: StudyFigures;
  /** Null when the recording is too short for minute 5 or has no reference beats. */
  ec57: StudyEc57 | null;
  /** ECE and Brier score of the run's probabilities over the same beats as `figures`; null without probabilities. */
  calibration: { ece: number; brier: number } | null;
  /** V and S burden over the same beats as `figures`; null when it has none. */
  burden: Record<'V' | 'S', StudyBurden> | null;
  /** AF found from the labels against the reference's rhythm annotations; null when the reference has none. */
  af: StudyAf | null;
}

/**
 * Atrial fibrillation as the Holter summary finds it (RR irregularity, and the signal's P waves) from the model's
 * labels and, as the baseline, from the reference's beat labels, each scored against the reference's `(AFIB`/`(AFL`
 * episodes over the whole recording. A model that calls AF beats S can hide AF from the summary; this shows how much.
 */
export interface StudyAf {
  model: AfAgreement;
  reference: AfAgreement;
  /** Whether the signal's P waves were looked at (`HolterSummary['af'].pWaves`). */
  pWaves: boolean;
  /**
   * The S burden (%) as each side's Holter summary states it: S labels outside the AF found from the same labels,
   * over all the recording's labelled beats (the model's, and the reference's).
   */
  sBurdenOutsideAf: StudyBurden;
}

/**
 * An ectopy burden: the share (percent) of a recording's scored beats (the N, S, V and F reference beats, as
 * `figures` counts them) that are of a class, by the reference's labels and by the model's. A Holter report's PVC
 * burden is the figure a clinician reads, so a study says how far the model's is from the cardiologists'.
 */
export interface StudyBurden { reference: number; model: number }

/**
 * Bland–Altman agreement of the recordings' burdens, model − reference, in percentage points: the bias, the SD of
 * the differences and the 95 % limits of agreement (bias ± 1.96 SD), and the recording that differs most.
 */
export interface StudyBurdenAgreement {
  recordings: number;
  bias: number;
  sd: number;
  lower: number;
  upper: number;
  largest: { recording: string; difference: number };
}

/**
 * The group a run is pooled in: its model, or, for a run adapted to its patient, the model with that learning
 * period (`cnn, adapted 5 min`), so that a study can set a model against its own patient-specific form.
 */
export function studyArm(run: Pick<RunSummary, 'modelId' | 'adaptation'>): string {
  if (!run.adaptation) return run.modelId;
  const minutes = +run.adaptation.minutes.toFixed(2);
  return `${run.modelId}, adapted ${minutes} min${run.adaptation.labels.from === 'run' ? ' of reviewed labels' : ''}`;
}

export interface StudyModel {
  /** The group (`studyArm`): the model, or the model adapted with a learning period. Pairs name these. */
  arm: string;
  /** The runs' model (`RunSummary.modelId`). */
  modelId: string;
  /** True when any run was adapted to its patient: the figures are patient-specific. */
  adapted: boolean;
  recordings: StudyRecording[];
  /** Over all the recordings' beats, with intervals (null with fewer than two recordings or `draws` 0). */
  gross: StudyFigures & { intervals: Record<string, StudyInterval | null> | null };
  /** sumstats over the recordings that reach minute 5: gross (pooled) and average (mean of the records' figures). */
  ec57: { recordings: number; gross: StudyEc57; average: StudyEc57 } | null;
  /** The confidence's calibration over all the recordings' beats (null when a run has no probabilities). */
  calibration: CalibrationSummary | null;
  /** How the recordings' V and S burdens by the model agree with the reference's (null with fewer than two recordings). */
  burden: Record<'V' | 'S', StudyBurdenAgreement | null>;
  /**
   * AF over the recordings with rhythm annotations, pooled (null when none has them), and the Bland–Altman of their
   * S burdens outside AF (null with fewer than two).
   */
  /** `pWaves`: whether every recording's AF was found with the signal's P waves. */
  af: { recordings: number; model: AfAgreement; reference: AfAgreement; sBurdenOutsideAf: StudyBurdenAgreement | null; pWaves: boolean } | null;
}

/**
 * Group A − group B (their `arm`s) on the recordings both classified, in percentage points, with paired intervals.
 * Both are scored on the same beats: where one group starts later on a recording (an adapted group after its
 * learning period), the other is scored from there too, so the difference is the models', not the first minutes'.
 */
export interface StudyPair {
  a: string;
  b: string;
  recordings: string[];
  /** Recordings on which both were scored from the later start (s) rather than each from its own; empty when none. */
  alignedFrom: { recording: string; seconds: number }[];
  /** Keys: `accuracy`, `macroF1NSV`, `N.se`, `N.ppv`, `S.se`, `S.ppv`, `V.se`, `V.ppv`. */
  point: Record<string, number | null>;
  intervals: Record<string, StudyInterval | null> | null;
  /**
   * A − B of the confidence's calibration on the same beats (from the later start on each recording, as the figures):
   * ECE in percentage points and the Brier score, with paired intervals over the recordings (null with fewer than two,
   * or `draws` 0). Null when a run has no probabilities.
   */
  calibration: { point: { ece: number | null; brier: number | null }; intervals: { ece: StudyInterval | null; brier: StudyInterval | null } | null } | null;
}

export interface StudyResult {
  reference: 'annotations' | 'corrected';
  models: StudyModel[];
  pairs: StudyPair[];
  /** How the intervals were made (null without them). */
  method: string | null;
  /** de Chazal et al. 2004 on DS2 (percent), the usual yardstick, for the tables' last row. */
  deChazal2004: Record<'N' | 'S' | 'V', { se: number; ppv: number }>;
  /** The per-recording and gross rows of every model as CSV (what the Study tab downloads). */
  csv: string;
}

/** The study as a printable report (`exportStudyReport`). */
export interface StudyReportResult {
  /** Self-contained HTML (inline CSS, no network): methods, figures with intervals, per recording, differences. */
  html: string;
  /** PDF bytes as base64, or null when no PDF renderer is available (`pdfError` says why). */
  pdfBase64: string | null;
  pdfError: string | null;
  csv: string;
  /** The tables as LaTeX (booktabs) for a paper: pooled figures with intervals, de Chazal's row, the differences. */
  latex: string;
  /** The study the report was made from, so a caller needs no second `getStudy`. */
  study: StudyResult;
}

export interface TemplateGroup {
  id: number;
  /** Dominant label (predicted, else reference). */
  label: string;
  count: number;
  /** Beat samples belonging to the group. */
  members: number[];
  /** Mean beat shape (mV) of the first lead, -250 ms..+400 ms around the fiducial. */
  shape: number[];
  fs: number;
}

export interface ExportRequest {
  runId: string;
  corrections: CorrectionInput[];
  /** Notes shown in the report. */
  notes?: string;
  reviewer?: string;
}

/** The Holter summary of a run's final labels: the model's, with the reviewer's corrections applied. */
export interface HolterRequest {
  runId: string;
  corrections?: CorrectionInput[];
  /** RR interval (s) from which a gap counts as a pause (default 2.0). */
  pauseSeconds?: number;
  /**
   * Whose labels: `final` (default; the model's with your corrections) or `reference` (the recording's reference
   * annotations, with your corrections applied to the beats they match), to set the two side by side.
   */
  labels?: 'final' | 'reference';
}

export interface ReportResult {
  /** Self-contained HTML (inline CSS and SVG, no network). */
  html: string;
  /** PDF bytes as base64, or null when no PDF renderer is available. */
  pdfBase64: string | null;
  pdfError: string | null;
  /** CSV of every beat. */
  csv: string;
  /** The Holter summary of the final labels (heart rate, HRV, ectopy, pauses, hour by hour), as the report shows it. */
  holter: HolterSummary;
}

export interface CorrectionsExport {
  /** WFDB annotation file (MIT format) bytes as base64: the reference with corrections applied. */
  wfdbBase64: string;
  csv: string;
  fileName: string;
}

/*
 * Devices (Raspberry Pi agents): what a device says about itself is `domain/device.ts`' types, the same the wire
 * protocol and the agent use, under the names the app calls them by. A device is named by its address `host:port`.
 */

export interface DevicePushResult {
  address: string;
  model: DeviceModelInfo;
  previousModel: DeviceModelInfo | null;
}

/** Progress of a push: packing, upload (bytes), the device's checks and self-test, then done or failed. */
export interface DevicePushProgress {
  address: string;
  /** Model pushed: a shipped model's id, the directory given, or `run <id>` for an adapted run's model. */
  model: string;
  phase: 'packing' | 'uploading' | 'verifying' | 'done' | 'failed';
  sent: number;
  total: number;
  /** Set when done: the id the device now runs. */
  modelId?: string;
  error?: string;
}

/** Events pushed from the core to the renderer (IPC `send` or WebSocket message). */
export type ApiEvent =
  | { type: 'job'; job: JobSummary }
  | { type: 'recording-lost'; recordingId: string; message: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  | { type: 'device-push'; progress: DevicePushProgress }
  /** Live messages of a watched device, batched (a fast replay streams hundreds of beats a second). */
  | { type: 'device-live'; address: string; messages: DeviceLiveMessage[] }
  /** A watch ended: stopped by the user (`reason` null) or lost (the device went away, the token was revoked…). */
  | { type: 'device-watch-ended'; address: string; reason: string | null };

/** Every call. Implemented by `ReviewService`; consumed through either transport. */
export interface EcgApi {
  /** Open a recording by path (must be inside the data directory in browser mode). */
  openRecording(path: string): Promise<RecordingSummary>;
  listRecordings(): Promise<RecordingSummary[]>;
  closeRecording(recordingId: string): Promise<void>;
  /** Recordings that can be opened from the data directory (browser mode's stand-in for a file dialog). */
  browse(dir?: string): Promise<{ dir: string; entries: { name: string; path: string; kind: 'recording' | 'dir' }[] }>;
  getWaveform(req: WaveformRequest): Promise<Waveform>;
  /** Beats of a run, or of the recording's reference when runId is null. */
  listBeats(recordingId: string, runId: string | null): Promise<BeatTable>;
  listModels(): Promise<ModelSummary[]>;
  /**
   * Classify. Beat positions come from the reference annotations when the recording has them (the classifier
   * judged alone, as EC57 class statistics and the model cards do), else from the QRS detector; `beats` forces
   * one or the other. `adapt` first fine-tunes the model on each recording's first minutes (see `AdaptRequest`);
   * the run's summary then carries `adaptation`.
   */
  startClassification(recordingIds: string[], modelId: string, options?: ClassificationOptions): Promise<{ jobId: string }>;
  cancelJob(jobId: string): Promise<void>;
  getJob(jobId: string): Promise<JobSummary>;
  listRuns(recordingId?: string): Promise<RunSummary[]>;
  getMetrics(req: MetricsRequest): Promise<MetricsResult>;
  /** Every pair of the runs (same recording) on the same reference beats: McNemar's test. */
  compareRuns(req: RunComparisonRequest): Promise<RunPairTest[]>;
  /** Runs of several recordings pooled per model, with intervals over recordings and paired model differences (`StudyRequest`). */
  getStudy(req: StudyRequest): Promise<StudyResult>;
  /** The same study as a report for a paper's supplement: HTML, PDF where a renderer is available, CSV. */
  exportStudyReport(req: StudyRequest): Promise<StudyReportResult>;
  getTemplates(runId: string, corrections: CorrectionInput[]): Promise<TemplateGroup[]>;
  exportCorrections(req: ExportRequest): Promise<CorrectionsExport>;
  exportReport(req: ExportRequest): Promise<ReportResult>;
  /** Heart rate, HRV, ectopy, pauses and the hour table of a run's final labels (what the report's Holter page shows). */
  getHolterSummary(req: HolterRequest): Promise<HolterSummary>;

  /** Devices added by address (kept in the device registry) and, with `discover`, those found by mDNS, each with its state. */
  listDevices(options?: { discover?: boolean; discoverMs?: number }): Promise<DeviceSummary[]>;
  /** Remember a device by `host:port` (it must answer). */
  addDevice(address: string): Promise<DeviceSummary>;
  /** Exchange the code shown on the device's console for a token (kept in the registry). */
  pairDevice(address: string, code: string): Promise<DeviceSummary>;
  /** Forget a device; when paired and reachable, revoke our token on it first (`revoke: false` skips that). */
  forgetDevice(address: string, options?: { revoke?: boolean }): Promise<void>;
  /**
   * Push a shipped model (id from `listModels`), a model directory, or the model an adapted run was classified with
   * (`{ runId }`: that patient's own model, for that patient's device); progress arrives as `device-push` events.
   */
  pushDeviceModel(address: string, model: string | { runId: string }): Promise<DevicePushResult>;
  rollbackDevice(address: string): Promise<DevicePushResult>;
  getDeviceStatus(address: string): Promise<DeviceStatusInfo>;
  /** Subscribe to a device's live beats; they arrive as `device-live` events until `stopDeviceWatch`. */
  startDeviceWatch(address: string): Promise<void>;
  stopDeviceWatch(address: string): Promise<void>;
  /** Have the device replay a recording it holds (a path on the device) at `speed` × real time. */
  startDeviceReplay(address: string, record: string, options?: { speed?: number; seconds?: number }): Promise<void>;
  stopDeviceReplay(address: string): Promise<void>;
}

export type ApiMethod = keyof EcgApi;

/** The channel map: the only method names either transport accepts. */
export const API_METHODS: readonly ApiMethod[] = [
  'openRecording', 'listRecordings', 'closeRecording', 'browse', 'getWaveform', 'listBeats', 'listModels',
  'startClassification', 'cancelJob', 'getJob', 'listRuns', 'getMetrics', 'compareRuns', 'getStudy', 'exportStudyReport', 'getTemplates', 'exportCorrections',
  'exportReport', 'getHolterSummary',
  'listDevices', 'addDevice', 'pairDevice', 'forgetDevice', 'pushDeviceModel', 'rollbackDevice', 'getDeviceStatus',
  'startDeviceWatch', 'stopDeviceWatch', 'startDeviceReplay', 'stopDeviceReplay',
] as const;

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

/** IPC channel names: one per method, plus the event channel. */
export const IPC_PREFIX = 'ecg-review:';
export const IPC_EVENT_CHANNEL = 'ecg-review:event';
export function ipcChannel(method: ApiMethod): string {
  return `${IPC_PREFIX}${method}`;
}

/** How errors cross either transport: the core's error class name and its one-line message. */
export interface ApiErrorPayload {
  name: string;
  message: string;
  /** True for the core's expected errors (bad file, unknown id…), false for bugs. */
  expected: boolean;
}

export class ApiError extends Error {
  readonly expected: boolean;
  readonly errorName: string;
  constructor(p: ApiErrorPayload) {
    super(p.message);
    this.name = 'ApiError';
    this.errorName = p.name;
    this.expected = p.expected;
  }
}

/** The preload bridge as the renderer sees it (`window.ecgReview`). */
export interface EcgBridge {
  call<M extends ApiMethod>(method: M, args: Parameters<EcgApi[M]>): Promise<{ ok: true; value: Awaited<ReturnType<EcgApi[M]>> } | { ok: false; error: ApiErrorPayload }>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
  /** Native file dialog (Electron only). */
  pickRecording?(): Promise<string | null>;
  /** Path of a dropped file (Electron only). */
  pathForFile?(file: File): string;
}
