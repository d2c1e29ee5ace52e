/**
 * The review workspace in IndexedDB (Dexie): recordings opened, runs, every correction (who, when, from what to
 * what, and why: manual relabel, accepting or rejecting the model's label, a template relabel, undo/redo),
 * notes, bookmarks and saved strips. The schema lives only here, with one `version()` per migration; tests open
 * old versions with fake-indexeddb and check the upgrade.
 *
 * Corrections are an append-only log: undo marks an entry `undone` instead of deleting it, so the provenance of
 * every label stays reconstructible. Each correction is written in its own short transaction, so a crash or a
 * closed tab loses at most the one being written.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { AamiLabel, CorrectionInput, RunAdaptation } from '../../src-main/api/contract.js';

export type Provenance = 'manual' | 'accept-model' | 'reject-model' | 'template' | 'selection';

export interface RecordingRow { path: string; id: string; name: string; openedAt: string }
export interface RunRow {
  id: string; recordingPath: string; recordingId: string; modelId: string; createdAt: string; beats: number; disagreements: number;
  /** What the run's model learnt of this patient first, when it was adapted (not indexed: no migration). */
  adaptation?: RunAdaptation;
}
export interface CorrectionRow {
  id?: number;
  recordingPath: string;
  sample: number;
  label: AamiLabel;
  /** The label shown before this correction (model's, reference's or an earlier correction). */
  previous: string;
  reviewer: string;
  at: string;
  provenance: Provenance;
  /** Run whose view the reviewer was in (for context only; corrections belong to the recording). */
  runId: string | null;
  /** Corrections made by one action (template/selection relabel) share a group, undone together. */
  group: string;
  undone: 0 | 1;
}
export interface NoteRow { id?: number; recordingPath: string; sample: number | null; text: string; reviewer: string; at: string }
export interface BookmarkRow { id?: number; recordingPath: string; sample: number; label: string; at: string }
export interface StripRow { id?: number; recordingPath: string; from: number; to: number; lead: number; title: string; at: string }
export interface SettingRow { key: string; value: unknown }

export type ReviewDb = Dexie & {
  recordings: EntityTable<RecordingRow, 'path'>;
  runs: EntityTable<RunRow, 'id'>;
  corrections: EntityTable<CorrectionRow, 'id'>;
  notes: EntityTable<NoteRow, 'id'>;
  bookmarks: EntityTable<BookmarkRow, 'id'>;
  strips: EntityTable<StripRow, 'id'>;
  settings: EntityTable<SettingRow, 'key'>;
};

export const DB_NAME = 'ecg-review';

/** Version 1 schema, kept verbatim: migrations are defined relative to it. */
export const SCHEMA_V1 = {
  recordings: '&path, openedAt',
  runs: '&id, recordingPath, createdAt',
  corrections: '++id, recordingPath, [recordingPath+sample], at',
  notes: '++id, recordingPath',
  bookmarks: '++id, recordingPath, [recordingPath+sample]',
  strips: '++id, recordingPath',
};

export function openReviewDb(name = DB_NAME, indexedDB?: IDBFactory, keyRange?: typeof IDBKeyRange): ReviewDb {
  const db = new Dexie(name, indexedDB ? { indexedDB, IDBKeyRange: keyRange } : undefined) as ReviewDb;
  db.version(1).stores(SCHEMA_V1);
  // v2: settings table; corrections gain `group` and `undone` (indexed) so undo/redo is a query, not a scan.
  db.version(2).stores({
    ...SCHEMA_V1,
    corrections: '++id, recordingPath, [recordingPath+sample], at, group, [recordingPath+undone]',
    settings: '&key',
  }).upgrade(async (tx) => {
    await tx.table('corrections').toCollection().modify((c: Partial<CorrectionRow>) => {
      c.group ??= `legacy-${c.id}`;
      c.undone ??= 0;
      c.provenance ??= 'manual';
      c.runId ??= null;
    });
  });
  return db;
}

/** Record one correction in its own transaction. */
export async function addCorrection(db: ReviewDb, c: Omit<CorrectionRow, 'id' | 'undone' | 'at'> & { at?: string }): Promise<number> {
  return db.transaction('rw', db.corrections, async () => {
    // Redo history ends when a new correction is made, as in any editor.
    await db.corrections.where({ recordingPath: c.recordingPath, undone: 1 }).delete();
    return (await db.corrections.add({ ...c, at: c.at ?? new Date().toISOString(), undone: 0 })) as number;
  });
}

/** Undo the most recent action (a group) of a recording; returns the undone rows. */
export async function undoLast(db: ReviewDb, recordingPath: string): Promise<CorrectionRow[]> {
  return db.transaction('rw', db.corrections, async () => {
    const live = await db.corrections.where({ recordingPath, undone: 0 }).sortBy('id');
    const last = live.at(-1);
    if (!last) return [];
    const rows = live.filter((r) => r.group === last.group);
    await db.corrections.bulkUpdate(rows.map((r) => ({ key: r.id!, changes: { undone: 1 as const } })));
    return rows;
  });
}

/** Redo the earliest undone action of a recording. */
export async function redoNext(db: ReviewDb, recordingPath: string): Promise<CorrectionRow[]> {
  return db.transaction('rw', db.corrections, async () => {
    const undone = await db.corrections.where({ recordingPath, undone: 1 }).sortBy('id');
    const first = undone[0];
    if (!first) return [];
    const rows = undone.filter((r) => r.group === first.group);
    await db.corrections.bulkUpdate(rows.map((r) => ({ key: r.id!, changes: { undone: 0 as const } })));
    return rows;
  });
}

/** The effective corrections of a recording: for each beat, its latest live correction. */
export async function effectiveCorrections(db: ReviewDb, recordingPath: string): Promise<Map<number, CorrectionRow>> {
  const rows = await db.corrections.where({ recordingPath, undone: 0 }).sortBy('id');
  const m = new Map<number, CorrectionRow>();
  for (const r of rows) m.set(r.sample, r);
  return m;
}

export function toInputs(m: Map<number, CorrectionRow>): CorrectionInput[] {
  return [...m.values()].map((c) => ({ sample: c.sample, label: c.label }));
}

export async function getSetting<T>(db: ReviewDb, key: string, fallback: T): Promise<T> {
  const r = await db.settings.get(key);
  return r ? (r.value as T) : fallback;
}

export async function setSetting(db: ReviewDb, key: string, value: unknown): Promise<void> {
  await db.settings.put({ key, value });
}
