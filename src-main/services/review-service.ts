/**
 * The review app's service: everything the renderer can ask, implemented once over the domain core. Both
 * transports (Electron IPC and the browser-mode HTTP server) call this same object, so they cannot drift.
 * Heavy work (classification) runs in worker threads; waveform requests are answered from a min/max pyramid.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  AAMI_LABELS, type ApiEvent, type BeatTable, type CorrectionInput, type CorrectionsExport, type EcgApi, type ExportRequest,
  type JobSummary, type MetricsRequest, type MetricsResult, type ModelSummary, type RecordingSummary, type ReportResult,
  type RunComparisonRequest, type RunPairTest, type RunSummary, type TemplateGroup, type Waveform, type WaveformRequest,
  type DevicePushResult, type DeviceStatusInfo, type DeviceSummary, type HolterRequest, type HolterSummary, type Ec57From,
  type AamiLabel, type AdaptRequest, type ClassificationOptions, type RunAdaptation, type StudyRequest, type StudyResult, type StudyReportResult, studyArm,
} from '../api/contract.js';
import { DeviceService, type DeviceServiceOptions } from './device-service.js';
import type { Annotation } from '../domain/annotation.js';
import { annotationCode } from '../domain/annotation.js';
import type { RecordingSource } from '../domain/recording.js';
import { openRecording } from '../formats/index.js';
import { encodeWfdbAnnotations } from '../formats/wfdb/index.js';
import { referenceBeats, type ClassifyOutput, type ReferenceBeats } from './classify-recording.js';
import { availableParallelism } from 'node:os';
import { BASELINE_MODEL_ID, listShippedModels } from './domain-adapters.js';
import { AppError } from './errors.js';
import { newJob, runAdaptWorker, runClassifyWorker, WorkerFailure } from './jobs.js';
import { ec57Metrics, matchBeats, metricsResult, type Ec57Outcome } from './metrics.js';
import { beatsToAnnotations } from '../evaluation/ec57/labels.js';
import { mcnemarFromCounts } from '../evaluation/metrics.js';
import { renderReportHtml } from './report.js';
import { afBeatsOf, studyOf, type StudyRunInput } from './study.js';
import { renderStudyLatex } from './study-latex.js';
import { makeAdaptRoot, sweepStaleAdaptRoots } from './adapted-models.js';
import { renderStudyHtml } from './study-html.js';
import { holterSummary, type RhythmReference } from './holter.js';
import { withAtrialActivity } from './atrial.js';
import type { LabelledBeats } from '../rhythm/index.js';
import { hasRhythmAnnotations } from '../evaluation/af-episodes.js';
import { groupTemplates } from './templates.js';
import { startWorker } from '../platform/worker.js';
import { columnsFromPyramid, columnsFromSource, rawValues, BLOCK, CHUNK, type LeadPyramid } from './waveform.js';

export interface ServiceOptions {
  /** When set, recordings may only be opened from inside this directory (browser mode). */
  dataDir?: string;
  modelsDir: string;
  /** Worker entry for classification (tests inject a crashing one; the Electron build passes its bundled file). */
  workerEntry?: URL;
  /** Worker entry that indexes long recordings (the Electron build passes its bundled file). */
  indexWorkerEntry?: URL;
  /** Worker entry for templates of long recordings (the Electron build passes its bundled file). */
  templatesWorkerEntry?: URL;
  /** HTML → PDF (system Chromium via playwright-core in browser mode, printToPDF in Electron). */
  renderPdf?: (html: string) => Promise<Uint8Array>;
  /**
   * Where models adapted to a patient are saved (one directory per adapted run, inside a directory of this
   * service's own that `dispose()` removes: runs live as long as the service); default the OS temp directory.
   */
  cacheDir?: string;
  /** Devices view: registry file and mDNS options (see device-service.ts). */
  devices?: Pick<DeviceServiceOptions, 'registryPath' | 'mdns' | 'statusTimeoutMs'>;
}

/** Recordings longer than this (samples per lead, ≈ 3 h at 360 Hz) are indexed in a worker thread. */
const LONG_RECORDING = 4 * (1 << 20);
const EMPTY_REF: ReferenceBeats = { samples: new Int32Array(0), labels: new Uint8Array(0), symbols: '', annotator: null, annotations: [], beatAt: new Int32Array(0) };

interface OpenRecording {
  summary: RecordingSummary;
  source: RecordingSource;
  /** Reference beats, still being read for long recordings. */
  ref: Promise<ReferenceBeats>;
  pyramid: LeadPyramid[] | null;
  /** Settles when the background pyramid is built (or failed); null for short recordings. */
  pyramidReady: Promise<void> | null;
  closed: boolean;
}

/** A finished classification of one recording, with reference labels attached (255 = no reference beat matched). */
interface RunData extends ClassifyOutput {
  reference: Uint8Array;
  symbols: string;
  referenceSamples: Int32Array;
  beatSource: 'detector' | 'reference';
}

interface Run {
  summary: RunSummary;
  out: RunData;
  /** The model directory an adapted run was classified with (that patient's own model). */
  modelDir?: string;
}

/** What a recording's adaptation learns from: the labelled beats of its first `seconds` (see `adaptPlans`). */
interface AdaptPlan {
  minutes: number;
  seconds: number;
  labels: { sample: number; label: AamiLabel }[];
  /** For messages: `atr, first 300 s`. */
  source: string;
  summary: RunAdaptation['labels'];
}

/** Share of a recording's progress bar taken by the adaptation before its segments. */
const ADAPT_SHARE = 0.2;

/** Recordings longer than this (samples, ≈ 2 h at 360 Hz) are classified in parallel segments. */
const SEGMENTED = 2_600_000;

/** Concatenate segment results (in order) and drop a beat found twice at a seam (< 200 ms apart). */
export function mergeSegments(parts: ClassifyOutput[], fs: number): ClassifyOutput {
  const minGap = Math.round(0.2 * fs);
  const keep: [number, number][] = [];
  let last = -Infinity;
  parts.forEach((p, k) => { for (let i = 0; i < p.samples.length; i++) { if (p.samples[i] - last >= minGap) { keep.push([k, i]); last = p.samples[i]; } } });
  const probs = new Float32Array(keep.length * 5);
  keep.forEach(([k, i], j) => probs.set(parts[k].probs.subarray(i * 5, i * 5 + 5), j * 5));
  return {
    samples: Int32Array.from(keep, ([k, i]) => parts[k].samples[i]),
    predicted: Uint8Array.from(keep, ([k, i]) => parts[k].predicted[i]),
    probs,
    elapsedMs: Math.max(...parts.map((p) => p.elapsedMs)),
  };
}

const LABEL = (i: number): string => (i < AAMI_LABELS.length ? AAMI_LABELS[i] : '-');

/** The valid corrections matched onto `samples` (EC57's 150 ms window, as the metrics match beats): beat index and label. */
function correctionsOnBeats(corrections: readonly CorrectionInput[], samples: Int32Array, fs: number): { beat: number; label: string }[] {
  const valid = corrections.filter((c) => c && Number.isFinite(c.sample) && AAMI_LABELS.includes(c.label)).sort((a, b) => a.sample - b.sample);
  const m = matchBeats(Int32Array.from(valid, (c) => c.sample), samples, Math.round(0.15 * fs));
  return valid.flatMap((c, i) => (m[i] >= 0 ? [{ beat: m[i], label: c.label }] : []));
}
const MIT_SYMBOL_OF_AAMI: Record<string, string> = { N: 'N', S: 'S', V: 'V', F: 'F', Q: 'Q' };

export function defaultWorkerEntry(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./classify-worker.${ext}`, import.meta.url);
}

export class ReviewService implements EcgApi {
  private readonly recordings = new Map<string, OpenRecording>();
  private readonly runs = new Map<string, Run>();
  /** Per run or recording, the atrial activity at its beats for the last labels asked (see `withAtrial`). */
  private readonly atrial = new WeakMap<object, { key: string; scores: Promise<ArrayLike<number> | undefined> }>();
  private readonly jobs = new Map<string, { summary: JobSummary; cancel: () => void }>();
  private readonly listeners = new Set<(e: ApiEvent) => void>();
  private models: ModelSummary[] | null = null;
  private readonly devices: DeviceService;
  /** This service's directory of adapted models (created at the first adaptation). */
  private adaptRoot: Promise<string> | null = null;
  /** Crashed services' adapted models, removed at start (see adapted-models.ts). */
  readonly swept: Promise<string[]>;

  constructor(private readonly opts: ServiceOptions) {
    this.swept = sweepStaleAdaptRoots(opts.cacheDir ?? tmpdir()).catch(() => []);
    this.devices = new DeviceService({
      ...opts.devices, modelsDir: opts.modelsDir, resolvePath: (p) => this.resolvePath(p), emit: (e) => this.emit(e),
      adaptedModelDir: async (runId) => this.runs.get(runId)?.modelDir ?? null,
    });
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ApiEvent): void {
    for (const l of this.listeners) {
      try { l(e); } catch { /* a broken listener must not stop the others */ }
    }
  }

  /** Resolve a user path; in browser mode it must lie inside the data directory. */
  private async resolvePath(path: string): Promise<string> {
    if (typeof path !== 'string' || !path.trim()) throw new AppError('no path given');
    const { dataDir } = this.opts;
    if (!dataDir) return resolve(path);
    const root = await realpath(dataDir);
    const abs = isAbsolute(path) ? resolve(path) : resolve(root, path);
    // Check the real location of the file (or, for a WFDB record name, of its directory): symlinks cannot escape.
    let real: string;
    try { real = await realpath(abs); } catch {
      try { real = join(await realpath(dirname(abs)), basename(abs)); } catch { real = abs; }
    }
    const rel = relative(root, real);
    if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
      throw new AppError(`${path} is outside the data directory ${dataDir}; only recordings inside it can be opened`);
    }
    return real;
  }

  async openRecording(path: string): Promise<RecordingSummary> {
    const abs = await this.resolvePath(path);
    const id = `rec-${createHash('sha1').update(abs).digest('hex').slice(0, 12)}`;
    const existing = this.recordings.get(id);
    if (existing && !existing.closed) return existing.summary;
    const source = await openRecording(abs);
    const i = source.info;
    const summary: RecordingSummary = {
      id, name: i.name, path: abs, format: i.format, fs: i.fs, length: i.length, durationSeconds: i.length / i.fs,
      startTime: i.startTime ? i.startTime.toISOString() : null,
      leads: i.signals.map((s, index) => ({ index, name: s.name, units: s.units })),
      referenceBeats: null, reference: null, warnings: i.warnings, indexing: false,
    };
    const entry: OpenRecording = { summary, source, ref: Promise.resolve(EMPTY_REF), pyramid: null, pyramidReady: null, closed: false };
    const setRef = (ref: ReferenceBeats): ReferenceBeats => { summary.referenceBeats = ref.samples.length; summary.reference = ref.annotator; return ref; };
    if (i.length > LONG_RECORDING) {
      // Long recordings are indexed in a worker (pyramid + reference beats) so the first waveform is not kept waiting.
      entry.ref = this.indexInWorker(entry, setRef);
    } else {
      entry.ref = Promise.resolve(setRef(await referenceBeats(source)));
    }
    this.recordings.set(id, entry);
    return summary;
  }

  private indexInWorker(entry: OpenRecording, setRef: (r: ReferenceBeats) => ReferenceBeats): Promise<ReferenceBeats> {
    let pyramidDone: () => void = () => {};
    entry.summary.indexing = true;
    entry.pyramidReady = new Promise<void>((r) => { pyramidDone = () => { entry.summary.indexing = false; r(); }; });
    return new Promise((resolveRef) => {
      const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
      const w = startWorker(this.opts.indexWorkerEntry ?? new URL(`./index-worker.${ext}`, import.meta.url), { path: entry.summary.path });
      let gotRef = false;
      w.on('message', (m: { type: string; ref?: ReferenceBeats; pyramid?: LeadPyramid[]; message?: string }) => {
        if (m.type === 'reference' && m.ref) { gotRef = true; resolveRef(setRef(m.ref)); }
        else if (m.type === 'pyramid' && m.pyramid) { if (!entry.closed) entry.pyramid = m.pyramid; pyramidDone(); void w.terminate(); }
        else if (m.type === 'error') this.emit({ type: 'notice', level: 'warning', message: `${entry.summary.name}: indexing failed (${m.message}); overviews will be slower` });
      });
      const done = (): void => { pyramidDone(); if (!gotRef) resolveRef(setRef(EMPTY_REF)); };
      w.on('exit', done);
      w.on('error', done);
    });
  }

  async listRecordings(): Promise<RecordingSummary[]> {
    return [...this.recordings.values()].filter((r) => !r.closed).map((r) => r.summary);
  }

  async closeRecording(recordingId: string): Promise<void> {
    const r = this.recordings.get(recordingId);
    if (!r) return;
    r.closed = true;
    this.recordings.delete(recordingId);
    await r.source.close().catch(() => undefined);
  }

  async browse(dir?: string): Promise<{ dir: string; entries: { name: string; path: string; kind: 'recording' | 'dir' }[] }> {
    const root = this.opts.dataDir ? await realpath(this.opts.dataDir) : process.cwd();
    const d = dir ? await this.resolvePath(dir) : root;
    let names: string[];
    try { names = (await readdir(d)).sort(); } catch (e) {
      throw new AppError(`cannot list ${d}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const entries: { name: string; path: string; kind: 'recording' | 'dir' }[] = [];
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const p = join(d, n);
      const st = await stat(p).catch(() => null);
      if (!st) continue;
      if (st.isDirectory()) entries.push({ name: n, path: p, kind: 'dir' });
      else if (/\.(hea|edf|ecg|csv)$/i.test(n)) entries.push({ name: n.replace(/\.hea$/i, ''), path: n.endsWith('.hea') ? p.slice(0, -4) : p, kind: 'recording' });
    }
    return { dir: d, entries };
  }

  private rec(id: string): OpenRecording {
    const r = this.recordings.get(id);
    if (!r) throw new AppError(`no open recording with id ${String(id)} (it was closed or never opened)`);
    return r;
  }

  /** A recording whose files vanished: tell the renderer once, and fail this request with a clear message. */
  private async checkAlive(r: OpenRecording): Promise<void> {
    const p = r.summary.path;
    const ok = (await stat(p).catch(() => null)) ?? (await stat(`${p}.hea`).catch(() => null));
    if (!ok) this.lost(r, `${p} is no longer there (deleted or moved while open)`);
  }

  private lost(r: OpenRecording, message: string): never {
    if (!r.closed) {
      r.closed = true;
      this.recordings.delete(r.summary.id);
      void r.source.close().catch(() => undefined);
      this.emit({ type: 'recording-lost', recordingId: r.summary.id, message });
    }
    throw new AppError(message);
  }

  async getWaveform(req: WaveformRequest): Promise<Waveform> {
    const r = this.rec(req.recordingId);
    await this.checkAlive(r);
    const { length, fs } = r.summary;
    const from = Math.max(0, Math.floor(Number(req.from) || 0));
    const to = Math.min(length, Math.ceil(Number(req.to) || 0));
    const px = Math.max(1, Math.min(8192, Math.floor(Number(req.pixelWidth) || 0)));
    if (!(to > from)) throw new AppError(`empty waveform window [${req.from}, ${req.to}) of ${r.summary.name} (length ${length})`);
    const leads = (req.leads ?? r.summary.leads.map((l) => l.index)).filter((l) => r.summary.leads[l]);
    if (!leads.length) throw new AppError(`no such lead(s) ${JSON.stringify(req.leads)} in ${r.summary.name}`);
    const meta = (l: number) => ({ index: l, name: r.summary.leads[l].name, units: r.summary.leads[l].units });
    try {
      if (to - from <= 2 * px) {
        const values = await Promise.all(leads.map((l) => rawValues(r.source, l, from, to)));
        return { kind: 'raw', recordingId: r.summary.id, from, to, fs, step: 1, leads: leads.map((l, k) => ({ ...meta(l), values: values[k] })) };
      }
      const step = (to - from) / px;
      // A wide view while the pyramid is still being built: waiting for it (seconds) beats reading hours of
      // samples on this thread.
      if (!r.pyramid && r.pyramidReady && step >= BLOCK && to - from > CHUNK) await r.pyramidReady;
      const cols = await Promise.all(leads.map((l) =>
        r.pyramid && step >= BLOCK ? columnsFromPyramid(r.pyramid[l], from, step, px) : columnsFromSource(r.source, l, from, to, step, px)));
      return { kind: 'minmax', recordingId: r.summary.id, from, to, fs, step, leads: leads.map((l, k) => ({ ...meta(l), ...cols[k] })) };
    } catch (e) {
      if (e instanceof AppError) throw e;
      await this.checkAlive(r);
      throw e;
    }
  }

  async listBeats(recordingId: string, runId: string | null): Promise<BeatTable> {
    const r = this.rec(recordingId);
    if (runId === null) {
      const ref = await r.ref;
      const n = ref.samples.length;
      return {
        recordingId, runId: null, fs: r.summary.fs, samples: Array.from(ref.samples),
        reference: Array.from(ref.labels, LABEL).join(''), predicted: '-'.repeat(n), confidence: new Array(n).fill(0), symbols: ref.symbols,
      };
    }
    const run = this.run(runId);
    if (run.summary.recordingId !== recordingId) throw new AppError(`run ${runId} belongs to another recording`);
    const o = run.out;
    return {
      recordingId, runId, fs: r.summary.fs, samples: Array.from(o.samples),
      reference: Array.from(o.reference, LABEL).join(''), predicted: Array.from(o.predicted, LABEL).join(''),
      confidence: Array.from(o.predicted, (p, i) => Math.round(o.probs[i * 5 + p] * 1e4) / 1e4), symbols: o.symbols,
    };
  }

  async listModels(): Promise<ModelSummary[]> {
    this.models ??= await listShippedModels(this.opts.modelsDir);
    return this.models;
  }

  /**
   * Check an adaptation request and gather, per recording, the labels of its learning period: the reference
   * annotator's beats, or a run's final labels (the model's, with the reviewer's corrections applied).
   */
  private async adaptPlans(recs: OpenRecording[], modelId: string, adapt: AdaptRequest): Promise<AdaptPlan[]> {
    if (typeof adapt !== 'object' || adapt === null) throw new AppError(`adapt must be { minutes, labels }, got ${JSON.stringify(adapt)}`);
    const { minutes, labels } = adapt;
    if (typeof minutes !== 'number' || !Number.isFinite(minutes) || !(minutes > 0)) throw new AppError(`adapt.minutes must be a positive number of minutes, got ${JSON.stringify(minutes)}`);
    if (modelId === BASELINE_MODEL_ID) throw new AppError(`the rule-based baseline (${BASELINE_MODEL_ID}) has no network to adapt: choose a trained model to adapt to the patient`);
    const from = (labels as { from?: unknown } | undefined)?.from;
    if (from !== 'reference' && from !== 'run') throw new AppError(`adapt.labels.from must be 'reference' or 'run', got ${JSON.stringify(from)}`);
    if (labels.from === 'run' && labels.corrections !== undefined && !Array.isArray(labels.corrections)) throw new AppError('adapt.labels.corrections must be a list of corrections');
    const seconds = minutes * 60;
    const plans: AdaptPlan[] = [];
    for (const r of recs) {
      const { name, fs, durationSeconds } = r.summary;
      if (seconds > durationSeconds + 1e-6) throw new AppError(`${name} lasts ${(durationSeconds / 60).toFixed(1)} min: it has no first ${minutes} min to learn from`);
      // A label just after the period still labels the period's last beat (beats are matched within 150 ms).
      const end = seconds * fs + Math.round(0.15 * fs);
      let plan: AdaptPlan;
      if (labels.from === 'reference') {
        const ref = await r.ref;
        if (!ref.samples.length || !ref.annotator) throw new AppError(`${name} has no reference annotations to learn from; adapt on a reviewed run's labels instead`);
        const learn: AdaptPlan['labels'] = [];
        for (let i = 0; i < ref.samples.length && ref.samples[i] < end; i++) learn.push({ sample: ref.samples[i], label: AAMI_LABELS[ref.labels[i]] });
        plan = { minutes, seconds, labels: learn, source: `${ref.annotator}, first ${seconds} s`, summary: { from: 'reference', annotator: ref.annotator } };
      } else {
        const run = this.run(labels.runId);
        if (run.summary.recordingId !== r.summary.id) {
          const of = this.recordings.get(run.summary.recordingId)?.summary.name ?? run.summary.recordingId;
          throw new AppError(`run ${run.summary.id} is a run of ${of}, not of ${name}: adapt on a run of the recording being classified`);
        }
        const { final, corrected } = this.finalLabels(run, labels.corrections ?? []);
        const learn: AdaptPlan['labels'] = [];
        let corrections = 0;
        for (let i = 0; i < run.out.samples.length && run.out.samples[i] < end; i++) {
          if (final[i] !== '-') learn.push({ sample: run.out.samples[i], label: final[i] as AamiLabel });
          if (corrected[i] && run.out.samples[i] < seconds * fs) corrections++;
        }
        plan = { minutes, seconds, labels: learn, source: `run ${run.summary.id}'s labels with ${corrections} correction(s), first ${seconds} s`, summary: { from: 'run', runId: run.summary.id, corrections } };
      }
      if (!plan.labels.length) throw new AppError(`${name} has no labelled beats in its first ${minutes} min (${plan.source}) to learn from`);
      plans.push(plan);
    }
    return plans;
  }

  /** A fresh directory for the model adapted for a run, inside this service's own (`cacheDir`). */
  private async adaptDir(runId: string): Promise<string> {
    this.adaptRoot ??= this.swept.then(() => makeAdaptRoot(this.opts.cacheDir ?? tmpdir()));
    return join(await this.adaptRoot, runId);
  }

  async startClassification(recordingIds: string[], modelId: string, options: ClassificationOptions = {}): Promise<{ jobId: string }> {
    if (options?.beats !== undefined && options.beats !== 'reference' && options.beats !== 'detector') throw new AppError(`beats must be 'reference' or 'detector', got ${JSON.stringify(options.beats)}`);
    if (!Array.isArray(recordingIds) || !recordingIds.length) throw new AppError('choose at least one recording to classify');
    const recs = recordingIds.map((id) => this.rec(id));
    const models = await this.listModels();
    if (!models.some((m) => m.id === modelId)) throw new AppError(`unknown model '${String(modelId)}' (available: ${models.map((m) => m.id).join(', ')})`);
    const plans = options?.adapt !== undefined ? await this.adaptPlans(recs, modelId, options.adapt) : null;
    const id = `job-${randomUUID().slice(0, 8)}`;
    const summary = newJob(id, recordingIds, modelId);
    const state = { summary, cancel: () => { /* replaced while a worker runs */ } };
    this.jobs.set(id, state);
    let lastEmit = 0;
    const update = (patch: Partial<JobSummary>, force = false): void => {
      Object.assign(summary, patch);
      const now = Date.now();
      if (force || now - lastEmit > 100) { lastEmit = now; this.emit({ type: 'job', job: { ...summary, runIds: [...summary.runIds] } }); }
    };
    void (async () => {
      for (let k = 0; k < recs.length; k++) {
        if (summary.state !== 'running') return;
        const r = recs[k];
        const t0 = performance.now();
        const { length, fs } = r.summary;
        // Long recordings: one worker per segment, in parallel (each reads its segment plus a lead-in).
        const nSeg = length > SEGMENTED ? Math.max(1, Math.min(4, availableParallelism())) : 1;
        const bounds = Array.from({ length: nSeg + 1 }, (_, j) => Math.round((j * length) / nSeg));
        const fractions = new Array<number>(nSeg).fill(0);
        const ref0 = await r.ref;
        const useRef = options?.beats === 'reference' || (options?.beats !== 'detector' && ref0.samples.length > 0);
        if (useRef && !ref0.samples.length) { update({ state: 'failed', error: `${r.summary.name}: no reference beats to take positions from`, message: 'failed' }, true); return; }
        const positions = useRef ? ref0.samples : undefined;
        const runId = `run-${randomUUID().slice(0, 8)}`;
        // Adaptation: once per recording, before its segments, which then all classify with the adapted model.
        const plan = plans?.[k];
        let adaptation: RunAdaptation | undefined, modelDir: string | undefined;
        if (plan) {
          const outDir = await this.adaptDir(runId);
          const w = runAdaptWorker(
            this.opts.workerEntry ?? defaultWorkerEntry(),
            { task: 'adapt', path: r.summary.path, modelId, modelsDir: this.opts.modelsDir, positions, seconds: plan.seconds, labels: plan.labels, source: plan.source, outDir },
            (f, msg) => update({ progress: (k + ADAPT_SHARE * f) / recs.length, message: `${r.summary.name}: ${msg}` }),
          );
          state.cancel = () => w.cancel();
          update({ progress: k / recs.length, message: `${r.summary.name}: adapting the model to this patient (${plan.source})` }, true);
          try {
            const o = await w.done;
            if (o === 'cancelled' || summary.state !== 'running') { await rm(outDir, { recursive: true, force: true }); return; }
            const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
            adaptation = {
              minutes: plan.minutes, labels: plan.summary, beats: o.beats, epochs: o.epochs,
              firstLoss: mean(o.losses.map((l) => l[0])), lastLoss: mean(o.losses.map((l) => l[l.length - 1])),
            };
            modelDir = outDir;
          } catch (e) {
            await rm(outDir, { recursive: true, force: true });
            const msg = e instanceof WorkerFailure ? e.message : `internal error: ${(e as Error).message}`;
            update({ state: 'failed', error: `${r.summary.name}: adapting ${modelId} failed: ${msg}`, message: `failed on ${r.summary.name}` }, true);
            return;
          }
        }
        const share = plan ? ADAPT_SHARE : 0;
        const workers = bounds.slice(0, -1).map((from, j) => runClassifyWorker(
          this.opts.workerEntry ?? defaultWorkerEntry(),
          { path: r.summary.path, modelId, modelsDir: this.opts.modelsDir, modelDir, positions, ...(nSeg > 1 ? { keepFrom: from, keepTo: bounds[j + 1] } : {}) },
          (f, msg) => { fractions[j] = f; update({ progress: (k + share + (1 - share) * fractions.reduce((a, b) => a + b, 0) / nSeg) / recs.length, message: `${r.summary.name}: ${msg}${plan ? ' (adapted model)' : ''}${nSeg > 1 ? ` (${nSeg} segments in parallel)` : ''}` }); },
        ));
        state.cancel = () => { for (const w of workers) w.cancel(); };
        try {
          const outs = await Promise.all(workers.map((w) => w.done));
          if (outs.some((o) => o === 'cancelled')) { if (modelDir) await rm(modelDir, { recursive: true, force: true }); return; }
          const merged = mergeSegments(outs as ClassifyOutput[], fs);
          const ref = await r.ref;
          const match = matchBeats(merged.samples, ref.samples, Math.round(0.15 * fs));
          const reference = new Uint8Array(merged.samples.length).fill(255);
          const symbols: string[] = [];
          let disagreements = 0;
          for (let i = 0; i < merged.samples.length; i++) {
            const m = match[i];
            if (m >= 0) { reference[i] = ref.labels[m]; symbols.push(ref.symbols[m]); if (reference[i] !== merged.predicted[i]) disagreements++; } else symbols.push('-');
          }
          const out: RunData = { ...merged, reference, symbols: symbols.join(''), referenceSamples: ref.samples, beatSource: useRef ? 'reference' : 'detector', elapsedMs: performance.now() - t0 };
          this.runs.set(runId, {
            out,
            ...(modelDir ? { modelDir } : {}),
            summary: {
              id: runId, recordingId: r.summary.id, modelId, createdAt: new Date().toISOString(), beats: out.samples.length, disagreements, elapsedMs: Math.round(out.elapsedMs), beatSource: out.beatSource,
              ...(adaptation ? { adaptation } : {}),
            },
          });
          summary.runIds.push(runId);
        } catch (e) {
          for (const w of workers) w.cancel();
          if (modelDir) await rm(modelDir, { recursive: true, force: true });
          const msg = e instanceof WorkerFailure ? e.message : `internal error: ${(e as Error).message}`;
          update({ state: 'failed', error: `${r.summary.name}: ${msg}`, message: `failed on ${r.summary.name}` }, true);
          return;
        }
      }
      update({ state: 'done', progress: 1, message: `classified ${recs.length} recording(s)` }, true);
    })();
    update({}, true);
    return { jobId: id };
  }

  async cancelJob(jobId: string): Promise<void> {
    const j = this.jobs.get(jobId);
    if (!j) throw new AppError(`no job ${String(jobId)}`);
    if (j.summary.state !== 'running') return;
    j.summary.state = 'cancelled';
    j.summary.message = 'cancelled by the user';
    j.cancel();
    this.emit({ type: 'job', job: { ...j.summary } });
  }

  async getJob(jobId: string): Promise<JobSummary> {
    const j = this.jobs.get(jobId);
    if (!j) throw new AppError(`no job ${String(jobId)}`);
    return { ...j.summary, runIds: [...j.summary.runIds] };
  }

  async listRuns(recordingId?: string): Promise<RunSummary[]> {
    return [...this.runs.values()].map((r) => r.summary).filter((s) => !recordingId || s.recordingId === recordingId);
  }

  private run(runId: string): Run {
    const r = this.runs.get(runId);
    if (!r) throw new AppError(`no run ${String(runId)} (runs live as long as the app; classify again after a restart)`);
    return r;
  }

  /** Reference labels of a run with the reviewer's corrections applied (nearest beat within 150 ms). */
  private correctedReference(run: Run, corrections: CorrectionInput[] = []): { labels: string; applied: number; corrected: Uint8Array } {
    const o = run.out;
    const labels = Array.from(o.reference, LABEL);
    const corrected = new Uint8Array(o.samples.length);
    const fs = this.recordings.get(run.summary.recordingId)?.summary.fs ?? 360;
    let applied = 0;
    for (const { beat, label } of correctionsOnBeats(corrections ?? [], o.samples, fs)) { labels[beat] = label; corrected[beat] = 1; applied++; }
    return { labels: labels.join(''), applied, corrected };
  }

  /**
   * The reference annotations for the EC57 figures: the annotator's whole file (rhythm, noise and VF annotations
   * too, which bxb and rxr read), with the reviewer's corrections applied as `correctedReference` applies them to
   * the per-class figures: a correction on a run beat relabels the reference beat that beat matched, or adds a
   * reference beat there when it matched none.
   */
  private ec57Reference(run: Run, ref: ReferenceBeats, fs: number, corrections: CorrectionInput[] | null): Annotation[] {
    const on = corrections ? correctionsOnBeats(corrections, run.out.samples, fs) : [];
    if (!on.length) return ref.annotations;
    const out = [...ref.annotations];
    const added: Annotation[] = [];
    const match = matchBeats(run.out.samples, run.out.referenceSamples, Math.round(0.15 * fs));
    for (const { beat, label } of on) {
      const symbol = MIT_SYMBOL_OF_AAMI[label];
      const relabel = { symbol, code: annotationCode(symbol)! };
      if (match[beat] >= 0) { const k = ref.beatAt[match[beat]]; out[k] = { ...out[k], ...relabel }; }
      else added.push({ sample: run.out.samples[beat], ...relabel, subtype: 0, chan: 0, num: 0, aux: '' });
    }
    // rxr reads the file in order: an added beat goes after the annotations already at its time (a stable sort).
    return added.length ? [...out, ...added].sort((a, b) => a.sample - b.sample) : out;
  }

  private async ec57Of(run: Run, reference: 'annotations' | 'corrected', corrections: CorrectionInput[] | undefined, from: Ec57From): Promise<Ec57Outcome> {
    const r = this.recordings.get(run.summary.recordingId);
    if (!r || r.closed) return { ec57: null, ec57Unavailable: `the recording of run ${run.summary.id} is no longer open; open it again for the EC57 figures` };
    const ref = await r.ref;
    const { fs, length } = r.summary;
    const annotations = this.ec57Reference(run, ref, fs, reference === 'corrected' ? corrections ?? [] : null);
    return ec57Metrics(annotations, beatsToAnnotations(run.out.samples, run.out.predicted), { fs, length, from, learningSeconds: (run.summary.adaptation?.minutes ?? 0) * 60 });
  }

  async getMetrics(req: MetricsRequest): Promise<MetricsResult> {
    const run = this.run(req.runId);
    const from = req.ec57From ?? 'minute5';
    if (from !== 'minute5' && from !== 'start' && from !== 'learning') throw new AppError(`ec57From must be 'minute5', 'start' or 'learning', got ${JSON.stringify(req.ec57From)}`);
    if (from === 'learning' && !run.summary.adaptation) throw new AppError(`run ${run.summary.id} was not adapted to its patient, so it has no learning period to compare from; use 'minute5' or 'start'`);
    const o = run.out;
    const { reference: refLabels, predicted, probs, applied, scoredFromSeconds } = this.scoredLabels(run, req.reference, req.corrections);
    let qrs: MetricsResult['qrs'] = null;
    if (run.summary.beatSource === 'detector' && o.referenceSamples.length) {
      let tp = 0;
      for (let i = 0; i < o.reference.length; i++) if (o.reference[i] !== 255) tp++;
      const fp = o.samples.length - tp, fn = o.referenceSamples.length - tp;
      qrs = { tp, fp, fn, se: tp + fn ? tp / (tp + fn) : null, ppv: tp + fp ? tp / (tp + fp) : null };
    }
    return metricsResult(run.summary.id, req.reference, applied, refLabels, predicted, probs, qrs, await this.ec57Of(run, req.reference, req.corrections, from), scoredFromSeconds);
  }

  /**
   * A run's reference and model labels (one character per beat) with its probabilities, from where it is scored: an
   * adapted run's model learnt the beats of its learning period, so only the rest count.
   */
  private scoredLabels(run: Run, reference: 'annotations' | 'corrected', corrections?: CorrectionInput[]): { reference: string; predicted: string; probs: Float32Array | null; samples: Int32Array; applied: number; scoredFromSeconds: number } {
    const o = run.out;
    const ref = reference === 'corrected' ? this.correctedReference(run, corrections) : { labels: Array.from(o.reference, LABEL).join(''), applied: 0 };
    const scoredFromSeconds = (run.summary.adaptation?.minutes ?? 0) * 60;
    let first = 0;
    if (scoredFromSeconds > 0) {
      const rec = this.recordings.get(run.summary.recordingId);
      if (!rec) throw new AppError(`the recording of run ${run.summary.id} is no longer open; open it again to score the run after its learning period`);
      const end = scoredFromSeconds * rec.summary.fs;
      while (first < o.samples.length && o.samples[first] < end) first++;
    }
    return {
      reference: ref.labels.slice(first), predicted: Array.from(o.predicted.subarray(first), LABEL).join(''),
      probs: o.probs ? o.probs.subarray(first * 5) : null, samples: o.samples.subarray(first), applied: ref.applied, scoredFromSeconds,
    };
  }

  async compareRuns(req: RunComparisonRequest): Promise<RunPairTest[]> {
    const runs = req.runIds.map((id) => this.run(id));
    if (runs.length < 2) throw new AppError(`compareRuns needs two or more runs, got ${runs.length}`);
    const recordingId = runs[0].summary.recordingId;
    const other = runs.find((r) => r.summary.recordingId !== recordingId);
    if (other) throw new AppError(`runs ${runs[0].summary.id} and ${other.summary.id} are of different recordings; compare runs of one recording`);
    const fs = this.rec(recordingId).summary.fs;
    // Per run: reference-beat index → [reference label, predicted label], for its beats matched to a reference beat.
    const byRef = runs.map((run) => {
      const o = run.out;
      const truth = req.reference === 'corrected' ? this.correctedReference(run, req.corrections).labels : Array.from(o.reference, LABEL).join('');
      const m = matchBeats(o.samples, o.referenceSamples, Math.round(0.15 * fs));
      const map = new Map<number, [string, string]>();
      for (let i = 0; i < m.length; i++) if (m[i] >= 0 && truth[i] !== '-') map.set(m[i], [truth[i], LABEL(o.predicted[i])]);
      return map;
    });
    const out: RunPairTest[] = [];
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        let beats = 0, rightA = 0, rightB = 0, onlyA = 0, onlyB = 0;
        for (const [k, [t, pa]] of byRef[i]) {
          const other = byRef[j].get(k);
          if (!other || other[0] !== t) continue; // not labelled by both, or corrected in one run only
          const okA = pa === t, okB = other[1] === t;
          beats++;
          if (okA) rightA++;
          if (okB) rightB++;
          if (okA && !okB) onlyA++;
          else if (okB && !okA) onlyB++;
        }
        const t = mcnemarFromCounts(onlyA, onlyB);
        out.push({ a: runs[i].summary.id, b: runs[j].summary.id, beats, accuracyA: beats ? rightA / beats : null, accuracyB: beats ? rightB / beats : null, onlyA, onlyB, method: t.method, statistic: t.statistic, pValue: t.pValue });
      }
    }
    return out;
  }

  async getStudy(req: StudyRequest): Promise<StudyResult> {
    if (!Array.isArray(req?.runIds) || req.runIds.length === 0) throw new AppError('getStudy needs the ids of one or more runs (runIds)');
    if (req.reference !== 'annotations' && req.reference !== 'corrected') throw new AppError(`reference must be 'annotations' or 'corrected', got ${JSON.stringify(req.reference)}`);
    const inputs: StudyRunInput[] = [];
    for (const id of req.runIds) {
      const run = this.run(id);
      const r = this.recordings.get(run.summary.recordingId);
      if (!r || r.closed) throw new AppError(`the recording of run ${run.summary.id} is no longer open; open it again to include it in the study`);
      const ref = await r.ref;
      if (ref.samples.length === 0) throw new AppError(`${r.summary.name} has no reference annotations to score run ${run.summary.id} against`, r.summary.path);
      const { fs, length } = r.summary;
      const corrections = req.reference === 'corrected' ? req.corrections?.[run.summary.id] ?? [] : null;
      const labels = this.scoredLabels(run, req.reference, corrections ?? undefined);
      const input: StudyRunInput = {
        runId: run.summary.id, recordingId: r.summary.id, recording: r.summary.name, modelId: run.summary.modelId, arm: studyArm(run.summary),
        adapted: Boolean(run.summary.adaptation), scoredFromSeconds: (run.summary.adaptation?.minutes ?? 0) * 60,
        corrections: labels.applied, fs, length,
        reference: this.ec57Reference(run, ref, fs, corrections), test: beatsToAnnotations(run.out.samples, run.out.predicted),
        labels,
      };
      if (hasRhythmAnnotations(input.reference)) {
        // the AF comparison's two sides, with the signal's P waves as the Holter summary has them
        const sides = afBeatsOf(input);
        input.afBeats = { test: await this.withAtrial(r, run, sides.test), reference: await this.withAtrial(r, r, sides.reference) };
      }
      inputs.push(input);
    }
    return studyOf(req.reference, inputs, req.draws ?? 2000);
  }

  async exportStudyReport(req: StudyRequest): Promise<StudyReportResult> {
    const study = await this.getStudy(req);
    const html = renderStudyHtml({
      study, models: await this.listModels(), beatSources: req.runIds.map((id) => this.run(id).summary.beatSource), generatedAt: new Date().toISOString(),
    });
    const { pdfBase64, pdfError } = await this.pdfOf(html);
    return { html, pdfBase64, pdfError, csv: study.csv, latex: renderStudyLatex(study), study };
  }

  /** PDF bytes of a report, or why there are none. */
  private async pdfOf(html: string): Promise<{ pdfBase64: string | null; pdfError: string | null }> {
    if (!this.opts.renderPdf) return { pdfBase64: null, pdfError: 'no PDF renderer is configured (HTML only)' };
    try { return { pdfBase64: Buffer.from(await this.opts.renderPdf(html)).toString('base64'), pdfError: null }; } catch (e) { return { pdfBase64: null, pdfError: `PDF rendering failed: ${(e as Error).message}` }; }
  }

  async getTemplates(runId: string, corrections: CorrectionInput[]): Promise<TemplateGroup[]> {
    const run = this.run(runId);
    const r = this.rec(run.summary.recordingId);
    const { labels } = this.correctedReference(run, corrections);
    const final = Array.from(run.out.predicted, LABEL).map((p, i) => (labels[i] !== '-' && corrections?.length ? labels[i] : p)).join('');
    if (r.summary.length <= LONG_RECORDING) return groupTemplates(r.source, run.out.samples, final);
    // A long recording's templates read the whole lead: in a worker, so the app keeps answering meanwhile.
    const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    const w = startWorker(this.opts.templatesWorkerEntry ?? new URL(`./templates-worker.${ext}`, import.meta.url), { path: r.summary.path, beats: run.out.samples, labels: final });
    try {
      return await new Promise<TemplateGroup[]>((res, rej) => {
        w.on('message', (m: { type: string; groups?: TemplateGroup[]; message?: string }) => (m.type === 'result' ? res(m.groups!) : rej(new AppError(`templates of ${r.summary.name}: ${m.message}`))));
        w.on('error', (e) => rej(new AppError(`templates of ${r.summary.name}: the worker crashed (${e.message})`)));
        w.on('exit', (c) => rej(new AppError(`templates of ${r.summary.name}: the worker stopped (exit code ${c})`)));
      });
    } finally {
      void w.terminate();
    }
  }

  /** Final label per beat: the reviewer's correction, else the model's prediction. */
  private finalLabels(run: Run, corrections: CorrectionInput[]): { final: string; corrected: Uint8Array; referenceCorrected: string } {
    const c = this.correctedReference(run, corrections);
    const pred = Array.from(run.out.predicted, LABEL);
    const final = pred.map((p, i) => (c.corrected[i] ? c.labels[i] : p)).join('');
    return { final, corrected: c.corrected, referenceCorrected: c.labels };
  }

  private beatsCsv(run: Run, corrections: CorrectionInput[]): string {
    const o = run.out;
    const fs = this.rec(run.summary.recordingId).summary.fs;
    const { final, corrected } = this.finalLabels(run, corrections);
    const lines = ['sample,time_s,reference_symbol,reference,predicted,confidence,p_N,p_S,p_V,p_F,p_Q,corrected,final'];
    for (let i = 0; i < o.samples.length; i++) {
      const p = Array.from(o.probs.subarray(i * 5, i * 5 + 5), (v) => v.toFixed(4));
      lines.push([o.samples[i], (o.samples[i] / fs).toFixed(3), o.symbols[i], LABEL(o.reference[i]), LABEL(o.predicted[i]), p[o.predicted[i]], ...p, corrected[i] ? 'yes' : 'no', final[i]].join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  async exportCorrections(req: ExportRequest): Promise<CorrectionsExport> {
    const run = this.run(req.runId);
    const r = this.rec(run.summary.recordingId);
    const o = run.out;
    const { final, corrected } = this.finalLabels(run, req.corrections);
    const anns: Annotation[] = [];
    for (let i = 0; i < o.samples.length; i++) {
      const symbol = corrected[i] || o.symbols[i] === '-' ? MIT_SYMBOL_OF_AAMI[final[i]] : o.symbols[i];
      anns.push({ sample: o.samples[i], symbol, code: annotationCode(symbol) ?? 13, subtype: 0, chan: 0, num: 0, aux: '' });
    }
    const bytes = encodeWfdbAnnotations(anns, `${r.summary.name}.rev`);
    return { wfdbBase64: Buffer.from(bytes).toString('base64'), csv: this.beatsCsv(run, req.corrections), fileName: `${r.summary.name}.rev` };
  }

  private async holterOf(run: Run, final: string, pauseSeconds?: number): Promise<HolterSummary> {
    const r = this.rec(run.summary.recordingId);
    const beats = await this.withAtrial(r, run, { fs: r.summary.fs, samples: run.out.samples, labels: final, length: r.summary.length, source: `run ${run.summary.id}` });
    return holterSummary(beats, pauseSeconds !== undefined ? { pauseSeconds } : {}, rhythmOf(await r.ref));
  }

  /**
   * The beats with the recording's atrial activity at them (the AF rule's P-wave test reads the signal). It depends
   * only on the beats and which of them are N, so it is kept per `owner` (a run, a recording) until those change: the Holter tab asks
   * again after every correction. Where the signal cannot be read, the beats go without it and the summary says
   * that AF was judged from RR alone.
   */
  private async withAtrial(r: OpenRecording, owner: object, b: LabelledBeats): Promise<LabelledBeats> {
    // the beats (a rolling hash of their samples) and which of them are N
    let h = b.samples.length;
    for (let i = 0; i < b.samples.length; i++) h = (Math.imul(h, 31) + b.samples[i]) | 0;
    const key = `${h}:${Array.from(b.labels, (l) => (l === 'N' ? 'N' : '.')).join('')}`;
    let hit = this.atrial.get(owner);
    if (!hit || hit.key !== key) {
      hit = { key, scores: withAtrialActivity(r.source, b).then((x) => x.atrialActivity, () => undefined) };
      this.atrial.set(owner, hit);
    }
    const scores = await hit.scores;
    return scores ? { ...b, atrialActivity: scores } : b;
  }

  async getHolterSummary(req: HolterRequest): Promise<HolterSummary> {
    const run = this.run(req.runId);
    if ((req.labels ?? 'final') === 'final') return this.holterOf(run, this.finalLabels(run, req.corrections ?? []).final, req.pauseSeconds);
    if (req.labels !== 'reference') throw new AppError(`labels must be 'final' or 'reference', got ${JSON.stringify(req.labels)}`);
    const r = this.rec(run.summary.recordingId);
    const ref = await r.ref;
    if (ref.samples.length === 0) throw new AppError(`${r.summary.name} has no reference annotations to summarise`, r.summary.path);
    const labels = Array.from(ref.labels, LABEL);
    // corrections sit on the run's beats: apply each to the reference beat it matches
    for (const { beat, label } of correctionsOnBeats(req.corrections ?? [], ref.samples, r.summary.fs)) labels[beat] = label;
    const beats = await this.withAtrial(r, r, { fs: r.summary.fs, samples: ref.samples, labels, length: r.summary.length, source: `${r.summary.name} reference` });
    return holterSummary(beats, req.pauseSeconds !== undefined ? { pauseSeconds: req.pauseSeconds } : {}, rhythmOf(ref));
  }

  async exportReport(req: ExportRequest): Promise<ReportResult> {
    const run = this.run(req.runId);
    const r = this.rec(run.summary.recordingId);
    const models = await this.listModels();
    const metrics = await this.getMetrics({ runId: req.runId, reference: req.corrections?.length ? 'corrected' : 'annotations', corrections: req.corrections, ec57From: run.summary.adaptation ? 'learning' : 'minute5' });
    const { final, referenceCorrected } = this.finalLabels(run, req.corrections ?? []);
    const holter = await this.holterOf(run, final);
    const html = await renderReportHtml({
      recording: r.summary, source: r.source, run: run.summary, model: models.find((m) => m.id === run.summary.modelId) ?? null,
      metrics, samples: run.out.samples, reference: referenceCorrected, predicted: Array.from(run.out.predicted, LABEL).join(''), final,
      notes: req.notes ?? '', reviewer: req.reviewer ?? '', corrections: req.corrections?.length ?? 0, holter,
    });
    const { pdfBase64, pdfError } = await this.pdfOf(html);
    return { html, pdfBase64, pdfError, csv: this.beatsCsv(run, req.corrections ?? []), holter };
  }

  // Devices: delegated to DeviceService (src-main/devices/* underneath).
  listDevices(options?: { discover?: boolean; discoverMs?: number }): Promise<DeviceSummary[]> { return this.devices.listDevices(options); }
  addDevice(address: string): Promise<DeviceSummary> { return this.devices.addDevice(address); }
  pairDevice(address: string, code: string): Promise<DeviceSummary> { return this.devices.pairDevice(address, code); }
  forgetDevice(address: string, options?: { revoke?: boolean }): Promise<void> { return this.devices.forgetDevice(address, options); }
  pushDeviceModel(address: string, model: string | { runId: string }): Promise<DevicePushResult> { return this.devices.pushDeviceModel(address, model); }
  rollbackDevice(address: string): Promise<DevicePushResult> { return this.devices.rollbackDevice(address); }
  getDeviceStatus(address: string): Promise<DeviceStatusInfo> { return this.devices.getDeviceStatus(address); }
  startDeviceWatch(address: string): Promise<void> { return this.devices.startDeviceWatch(address); }
  stopDeviceWatch(address: string): Promise<void> { return this.devices.stopDeviceWatch(address); }
  startDeviceReplay(address: string, record: string, options?: { speed?: number; seconds?: number }): Promise<void> { return this.devices.startDeviceReplay(address, record, options); }
  stopDeviceReplay(address: string): Promise<void> { return this.devices.stopDeviceReplay(address); }

  async dispose(): Promise<void> {
    await this.devices.dispose();
    for (const j of this.jobs.values()) if (j.summary.state === 'running') j.cancel();
    for (const id of [...this.recordings.keys()]) await this.closeRecording(id);
    // The models adapted for this service's runs go with the runs.
    const root = await this.adaptRoot?.catch(() => null);
    if (root) await rm(root, { recursive: true, force: true });
  }
}

/** The reference annotator's rhythm annotations, which the Holter summary scores its AF against. */
function rhythmOf(ref: ReferenceBeats): RhythmReference | undefined {
  return ref.annotator ? { annotator: ref.annotator, annotations: ref.annotations } : undefined;
}
