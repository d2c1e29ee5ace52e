/**
 * The Study tab's choices and formatting: which runs to pool (each arm's newest run of each open recording), each
 * run's corrections read from the workspace, and how percent figures, intervals and differences are written.
 * Pure functions apart from `correctionsForRuns`, which only reads Dexie (one short query per recording).
 */
import { studyArm, type CorrectionInput, type RecordingSummary, type RunSummary, type StudyFigures, type StudyInterval } from '../../src-main/api/contract.js';
import { effectiveCorrections, toInputs, type ReviewDb } from './db.js';

/** An arm's runs for the study: at most one per recording (the newest), in the library's recording order. */
export interface StudyGroup {
  /** The group (`studyArm`): the model, or the model adapted with its learning period (`cnn, adapted 5 min`). */
  arm: string;
  /** The underlying model. */
  modelId: string;
  runs: RunSummary[];
  /** True for an adapted arm: every run learnt its patient's first minutes (the figures are patient-specific). */
  adapted: boolean;
}

/**
 * For every arm with runs on the open recordings, its newest run of each of them. The service pools runs by arm
 * (`studyArm`: the model, or the model adapted with a learning period) and takes one run per recording per arm, so a
 * plain and an adapted run of one model on the same recording are both taken, in two groups that a pair sets against
 * each other; of two runs of the same arm on a recording the newer is taken. Recordings without reference
 * annotations (`referenceBeats` 0) have nothing to be scored against and are left out. Arms in name order.
 */
export function studyGroups(runs: readonly RunSummary[], recordings: readonly Pick<RecordingSummary, 'id' | 'referenceBeats'>[]): StudyGroup[] {
  const order = new Map(recordings.filter((r) => r.referenceBeats !== 0).map((r, i) => [r.id, i]));
  const newest = new Map<string, Map<string, RunSummary>>();
  for (const run of runs) {
    if (!order.has(run.recordingId)) continue;
    const arm = studyArm(run);
    const byRecording = newest.get(arm) ?? new Map<string, RunSummary>();
    const held = byRecording.get(run.recordingId);
    if (!held || Date.parse(run.createdAt) > Date.parse(held.createdAt)) byRecording.set(run.recordingId, run);
    newest.set(arm, byRecording);
  }
  return [...newest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([arm, byRecording]) => {
      const list = [...byRecording.values()].sort((a, b) => order.get(a.recordingId)! - order.get(b.recordingId)!);
      return { arm, modelId: list[0].modelId, runs: list, adapted: list.some((r) => r.adaptation) };
    });
}

/**
 * Each run's reference corrections: the effective corrections of its recording (corrections belong to the recording,
 * whichever run the reviewer was looking at). One read per recording.
 */
export async function correctionsForRuns(db: ReviewDb, runs: readonly RunSummary[], recordings: readonly Pick<RecordingSummary, 'id' | 'path'>[]): Promise<Record<string, CorrectionInput[]>> {
  const pathOf = new Map(recordings.map((r) => [r.id, r.path]));
  const byPath = new Map<string, CorrectionInput[]>();
  const out: Record<string, CorrectionInput[]> = {};
  for (const run of runs) {
    const path = pathOf.get(run.recordingId);
    if (path === undefined) { out[run.id] = []; continue; }
    if (!byPath.has(path)) byPath.set(path, toInputs(await effectiveCorrections(db, path)));
    out[run.id] = byPath.get(path)!;
  }
  return out;
}

/** Open recordings with runs but no reference annotations: a study cannot score them. */
export function unscorable(runs: readonly RunSummary[], recordings: readonly Pick<RecordingSummary, 'id' | 'name' | 'referenceBeats'>[]): string[] {
  const withRuns = new Set(runs.map((r) => r.recordingId));
  return recordings.filter((r) => r.referenceBeats === 0 && withRuns.has(r.id)).map((r) => r.name);
}

/** The figure keys of the gross and per-recording tables, in column order. */
export const FIGURE_KEYS = ['N.se', 'N.ppv', 'S.se', 'S.ppv', 'V.se', 'V.ppv', 'F.se', 'F.ppv', 'accuracy', 'macroF1NSV'] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];
/** The keys of a pair's differences. */
export const DIFFERENCE_KEYS = ['N.se', 'N.ppv', 'S.se', 'S.ppv', 'V.se', 'V.ppv', 'accuracy', 'macroF1NSV'] as const;

export const KEY_LABEL: Record<FigureKey, string> = {
  'N.se': 'N Se', 'N.ppv': 'N +P', 'S.se': 'S Se', 'S.ppv': 'S +P', 'V.se': 'V Se', 'V.ppv': 'V +P', 'F.se': 'F Se', 'F.ppv': 'F +P',
  accuracy: 'Accuracy', macroF1NSV: 'Macro-F1 (N, S, V)',
};

export function figureOf(f: StudyFigures, key: FigureKey): number | null {
  if (key === 'accuracy') return f.accuracy;
  if (key === 'macroF1NSV') return f.macroF1NSV;
  const [c, m] = key.split('.') as ['N' | 'S' | 'V' | 'F', 'se' | 'ppv'];
  return f.perClass[c][m];
}

/** A percent figure (already 0–100) with `digits` decimals; null is "—". */
export function pct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined) return '—';
  const s = v.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A difference in percentage points: signed, so "+1.2" and "-0.4" read at a glance. */
export function signed(v: number | null | undefined, digits = 1): string {
  const s = pct(v, digits);
  return v !== null && v !== undefined && s !== '—' && !s.startsWith('-') && Number(s) !== 0 ? `+${s}` : s;
}

/** A 95 % interval as "[lo, hi]"; none is "—". */
export function interval(i: StudyInterval | null | undefined, digits = 1): string {
  return i ? `[${pct(i.lo, digits)}, ${pct(i.hi, digits)}]` : '—';
}

/** True when the interval lies wholly on one side of 0 (the difference is shown). */
export function excludesZero(i: StudyInterval | null | undefined): boolean {
  return !!i && (i.lo > 0 || i.hi < 0);
}
