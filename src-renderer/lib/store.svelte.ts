/**
 * Application state (Svelte 5 runes). Large arrays (beat tables, waveforms) are `$state.raw`: replaced whole,
 * never proxied element by element. Corrections are read from Dexie at start and after every change, so what is
 * shown is what is stored.
 */
import type { AamiLabel, ApiEvent, BeatTable, ClassificationOptions, EcgApi, JobSummary, ModelSummary, RecordingSummary, RunSummary } from '../../src-main/api/contract.js';
import { connect, type Transport } from './api.js';
import { nearestBeat } from './navigation.js';
import { NO_CALIPER, type CaliperPair } from './calipers.js';
import { addCorrection, effectiveCorrections, getSetting, openReviewDb, redoNext, setSetting, toInputs, undoLast, type CorrectionRow, type Provenance, type ReviewDb } from './db.js';

export type View = 'library' | 'classify' | 'review' | 'metrics' | 'holter' | 'compare' | 'study' | 'strips' | 'report' | 'devices';

export interface Notice { id: number; level: 'info' | 'warning' | 'error'; text: string }

export class AppState {
  transport: Transport;
  api: EcgApi;
  db: ReviewDb;
  view = $state<View>('library');
  recordings = $state<RecordingSummary[]>([]);
  models = $state.raw<ModelSummary[]>([]);
  runs = $state.raw<RunSummary[]>([]);
  jobs = $state<Record<string, JobSummary>>({});
  notices = $state<Notice[]>([]);
  reviewer = $state('reviewer');
  /** The recording and run under review. */
  recordingId = $state<string | null>(null);
  runId = $state<string | null>(null);
  beats = $state.raw<BeatTable | null>(null);
  corrections = $state.raw<Map<number, CorrectionRow>>(new Map());
  selected = $state(-1);
  /** Other end of a range selection (shift+click / shift+arrow), -1 when a single beat is selected. */
  selectionEnd = $state(-1);
  /** Visible window (samples) of the Review view. */
  viewFrom = $state(0);
  viewSpan = $state(3600);
  /** Review's electronic calipers: whether clicks on a lead place them, and their ends (replaced whole). */
  calipersOn = $state(false);
  calipers = $state.raw<CaliperPair>(NO_CALIPER);
  ready = $state(false);
  private noticeId = 0;

  constructor(transport?: Transport, db?: ReviewDb) {
    this.transport = transport ?? connect();
    this.api = this.transport.api;
    this.db = db ?? openReviewDb();
    this.transport.onEvent((e) => this.onEvent(e));
  }

  get recording(): RecordingSummary | null {
    return this.recordings.find((r) => r.id === this.recordingId) ?? null;
  }

  /** Lift the caliper's points (Escape, turning calipers off, another recording: its times mean nothing there). */
  clearCalipers(): void {
    this.calipers = NO_CALIPER;
  }

  notify(level: Notice['level'], text: string): void {
    const id = ++this.noticeId;
    this.notices = [...this.notices.slice(-4), { id, level, text }];
    if (level === 'info') setTimeout(() => this.dismiss(id), 6000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  private onEvent(e: ApiEvent): void {
    if (e.type === 'job') {
      this.jobs = { ...this.jobs, [e.job.id]: e.job };
      if (e.job.state === 'done') void this.jobDone(e.job);
      if (e.job.state === 'failed') this.notify('error', `Classification failed — ${e.job.error ?? e.job.message}. Your corrections are safe; you can run it again.`);
    } else if (e.type === 'recording-lost') {
      this.notify('error', `${e.message}. It was closed; your corrections to it are kept.`);
      this.recordings = this.recordings.filter((r) => r.id !== e.recordingId);
    } else if (e.type === 'notice') {
      this.notify(e.level, e.message);
    }
  }

  private async jobDone(job: JobSummary): Promise<void> {
    await this.refreshRuns();
    for (const runId of job.runIds) {
      const run = this.runs.find((r) => r.id === runId);
      const rec = this.recordings.find((r) => r.id === run?.recordingId);
      if (run && rec) {
        await this.db.runs.put({ id: run.id, recordingPath: rec.path, recordingId: rec.id, modelId: run.modelId, createdAt: run.createdAt, beats: run.beats, disagreements: run.disagreements, ...(run.adaptation ? { adaptation: run.adaptation } : {}) });
      }
    }
  }

  /** Start-up: reopen the workspace's recordings and restore the last review position. */
  async init(): Promise<void> {
    // Read the saved position before anything else, and let a tab the user picks while start-up is still
    // reopening recordings win over the saved one (on a slow machine start-up takes seconds).
    const last = await getSetting<{ recordingId: string | null; runId: string | null; view: View; from: number; span: number; selected: number } | null>(this.db, 'position', null);
    const viewAtStart = this.view;
    this.reviewer = await getSetting(this.db, 'reviewer', 'reviewer');
    try { this.models = await this.api.listModels(); } catch (e) { this.notify('error', `Cannot list models: ${(e as Error).message}`); }
    const open = await this.api.listRecordings().catch(() => [] as RecordingSummary[]);
    const known = await this.db.recordings.orderBy('openedAt').toArray();
    const byPath = new Map(open.map((r) => [r.path, r]));
    for (const row of known) {
      if (byPath.has(row.path)) continue;
      try { byPath.set(row.path, await this.api.openRecording(row.path)); } catch (e) {
        this.notify('warning', `${row.name} could not be reopened: ${(e as Error).message}`);
      }
    }
    // A recording the user opened while start-up was still running is kept: the list fetched above may
    // predate it (under load this race emptied the library in CI).
    for (const r of this.recordings) if (!byPath.has(r.path)) byPath.set(r.path, r);
    this.recordings = [...byPath.values()];
    await this.refreshRuns();
    if (last && last.recordingId && this.recordingId === null && this.recordings.some((r) => r.id === last.recordingId)) {
      await this.review(last.recordingId, last.runId && this.runs.some((r) => r.id === last.runId) ? last.runId : null, false);
      this.viewFrom = last.from; this.viewSpan = last.span; this.selected = Math.min(last.selected, (this.beats?.samples.length ?? 0) - 1);
      if (this.view === viewAtStart) this.view = last.view;
    }
    this.ready = true;
  }

  async savePosition(): Promise<void> {
    // Until start-up has restored the saved position, saving would overwrite it with an empty one.
    if (!this.ready) return;
    await setSetting(this.db, 'position', { recordingId: this.recordingId, runId: this.runId, view: this.view, from: this.viewFrom, span: this.viewSpan, selected: this.selected });
  }

  async setReviewer(name: string): Promise<void> {
    this.reviewer = name;
    await setSetting(this.db, 'reviewer', name);
  }

  async openPath(path: string): Promise<RecordingSummary | null> {
    try {
      const rec = await this.api.openRecording(path.trim());
      if (!this.recordings.some((r) => r.id === rec.id)) this.recordings = [...this.recordings, rec];
      await this.db.recordings.put({ path: rec.path, id: rec.id, name: rec.name, openedAt: new Date().toISOString() });
      return rec;
    } catch (e) {
      this.notify('error', `Cannot open ${path}: ${(e as Error).message}`);
      return null;
    }
  }

  async close(id: string): Promise<void> {
    const rec = this.recordings.find((r) => r.id === id);
    await this.api.closeRecording(id).catch(() => undefined);
    this.recordings = this.recordings.filter((r) => r.id !== id);
    if (rec) await this.db.recordings.delete(rec.path);
    if (this.recordingId === id) { this.recordingId = null; this.beats = null; }
  }

  async refreshRuns(): Promise<void> {
    this.runs = await this.api.listRuns().catch(() => [] as RunSummary[]);
  }

  async classify(recordingIds: string[], modelId: string, options: ClassificationOptions = {}): Promise<string | null> {
    try {
      const { jobId } = await this.api.startClassification(recordingIds, modelId, options);
      this.jobs = { ...this.jobs, [jobId]: await this.api.getJob(jobId) };
      return jobId;
    } catch (e) {
      this.notify('error', `Cannot start classification: ${(e as Error).message}`);
      return null;
    }
  }

  async cancel(jobId: string): Promise<void> {
    await this.api.cancelJob(jobId).catch((e) => this.notify('error', (e as Error).message));
    this.jobs = { ...this.jobs, [jobId]: await this.api.getJob(jobId) };
  }

  /** Switch the Review view to a recording (and run), loading beats and corrections. */
  async review(recordingId: string, runId: string | null, go = true): Promise<void> {
    const rec = this.recordings.find((r) => r.id === recordingId);
    if (!rec) return;
    // Show the leads at once; the beat table (100k beats on a Holter) arrives after. On the same recording,
    // keep the selected beat across runs by position (another run may have detected other beats).
    const keepSample = this.recordingId === recordingId && this.beats && this.selected >= 0 ? this.beats.samples[this.selected] : null;
    if (this.recordingId !== recordingId) {
      this.beats = null;
      this.selected = -1;
      this.clearCalipers();
      this.viewSpan = Math.round(10 * rec.fs);
      this.viewFrom = 0;
    }
    this.recordingId = recordingId;
    this.runId = runId;
    if (go) this.view = 'review';
    const [beats, corrections] = await Promise.all([
      this.api.listBeats(recordingId, runId).catch((e: Error) => { this.notify('error', `Cannot load beats: ${e.message}`); return null; }),
      effectiveCorrections(this.db, rec.path),
    ]);
    if (this.recordingId !== recordingId) return;
    this.corrections = corrections;
    this.beats = beats;
    if (beats) {
      this.selected = keepSample !== null ? nearestBeat(beats.samples, keepSample) : beats.samples.length ? 0 : -1;
      if (rec.referenceBeats === null) {
        // Refresh the reference counts in place: replacing the list would drop a recording opened meanwhile.
        const fresh = new Map((await this.api.listRecordings().catch(() => [] as RecordingSummary[])).map((r) => [r.id, r]));
        this.recordings = this.recordings.map((r) => fresh.get(r.id) ?? r);
      }
    }
    await this.savePosition();
  }

  private shownCache: { beats: BeatTable | null; corrections: Map<number, CorrectionRow> | null; labels: string[]; source: Uint8Array } = { beats: null, corrections: null, labels: [], source: new Uint8Array(0) };

  /** Every beat's shown label at once (cached per beat table and corrections), for drawing many beats per frame. */
  shownLabels(): { labels: string[]; source: Uint8Array } {
    const b = this.beats, corr = this.corrections, c = this.shownCache;
    if (c.beats === b && c.corrections === corr) return c;
    const n = b?.samples.length ?? 0;
    const labels = new Array<string>(n), source = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const m = corr.get(b!.samples[i]);
      if (m) { labels[i] = m.label; source[i] = 2; } else if (b!.predicted[i] !== '-') { labels[i] = b!.predicted[i]; source[i] = 1; } else labels[i] = b!.reference[i];
    }
    this.shownCache = { beats: b, corrections: corr, labels, source };
    return this.shownCache;
  }

  /** Label shown for beat i: the reviewer's correction, else the model's, else the reference. */
  labelOf(i: number): { label: string; source: 'manual' | 'model' | 'reference' } {
    const b = this.beats;
    if (!b) return { label: '-', source: 'reference' };
    const c = this.corrections.get(b.samples[i]);
    if (c) return { label: c.label, source: 'manual' };
    if (b.predicted[i] !== '-') return { label: b.predicted[i], source: 'model' };
    return { label: b.reference[i], source: 'reference' };
  }

  /** Beats the relabel buttons act on: the selected range, else the selected beat. */
  selectedIndices(): number[] {
    if (this.selected < 0) return [];
    if (this.selectionEnd < 0 || this.selectionEnd === this.selected) return [this.selected];
    const a = Math.min(this.selected, this.selectionEnd), b = Math.max(this.selected, this.selectionEnd);
    return Array.from({ length: b - a + 1 }, (_, k) => a + k);
  }

  correctionInputs() {
    return toInputs(this.corrections);
  }

  async relabel(indices: number[], label: AamiLabel, provenance: Provenance): Promise<void> {
    const rec = this.recording, b = this.beats;
    if (!rec || !b || !indices.length) return;
    const group = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      for (const i of indices) {
        await addCorrection(this.db, { recordingPath: rec.path, sample: b.samples[i], label, previous: this.labelOf(i).label, reviewer: this.reviewer, provenance, runId: this.runId, group });
      }
    } catch (e) {
      this.notify('error', `The correction could not be saved: ${(e as Error).message}`);
    }
    this.corrections = await effectiveCorrections(this.db, rec.path);
  }

  async undo(): Promise<void> {
    const rec = this.recording;
    if (!rec) return;
    const rows = await undoLast(this.db, rec.path);
    this.corrections = await effectiveCorrections(this.db, rec.path);
    if (rows.length) this.notify('info', `Undid ${rows.length} correction(s)`);
  }

  async redo(): Promise<void> {
    const rec = this.recording;
    if (!rec) return;
    const rows = await redoNext(this.db, rec.path);
    this.corrections = await effectiveCorrections(this.db, rec.path);
    if (rows.length) this.notify('info', `Redid ${rows.length} correction(s)`);
  }
}
