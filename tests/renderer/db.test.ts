/** The review workspace schema: versioned migrations (v1 → v2) and the correction log (undo/redo, provenance). */
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { addCorrection, effectiveCorrections, openReviewDb, redoNext, SCHEMA_V1, undoLast } from '../../src-renderer/lib/db.js';

const base = { recordingPath: '/data/208', reviewer: 'dr a', provenance: 'manual' as const, runId: 'run-1' };

describe('review workspace (Dexie)', () => {
  it('upgrades a version-1 database without losing corrections', async () => {
    const idb = new IDBFactory();
    const v1 = new Dexie('ws', { indexedDB: idb, IDBKeyRange });
    v1.version(1).stores(SCHEMA_V1);
    await v1.table('corrections').bulkAdd([
      { recordingPath: '/data/208', sample: 100, label: 'V', previous: 'N', reviewer: 'dr a', at: '2024-01-01T00:00:00Z' },
      { recordingPath: '/data/208', sample: 200, label: 'S', previous: 'N', reviewer: 'dr a', at: '2024-01-01T00:01:00Z', provenance: 'accept-model' },
    ]);
    await v1.table('recordings').add({ path: '/data/208', id: 'rec-1', name: '208', openedAt: '2024-01-01' });
    v1.close();

    const db = openReviewDb('ws', idb, IDBKeyRange);
    await db.open();
    expect(db.verno).toBe(2);
    const rows = await db.corrections.orderBy('id').toArray();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ sample: 100, label: 'V', undone: 0, provenance: 'manual', runId: null });
    expect(rows[0].group).toMatch(/^legacy-/);
    expect(rows[1].provenance).toBe('accept-model');
    expect(await db.recordings.get('/data/208')).toMatchObject({ name: '208' });
    // The new compound index answers queries.
    expect(await db.corrections.where({ recordingPath: '/data/208', undone: 0 }).count()).toBe(2);
    await db.settings.put({ key: 'reviewer', value: 'dr a' });
    db.close();
  });

  it('keeps every correction with provenance; undo/redo work per action group', async () => {
    const db = openReviewDb('ws2', new IDBFactory(), IDBKeyRange);
    await addCorrection(db, { ...base, sample: 10, label: 'V', previous: 'N', group: 'g1' });
    await addCorrection(db, { ...base, sample: 10, label: 'F', previous: 'V', group: 'g2' });
    await addCorrection(db, { ...base, sample: 20, label: 'S', previous: 'N', group: 'g3', provenance: 'template' });
    await addCorrection(db, { ...base, sample: 30, label: 'S', previous: 'N', group: 'g3', provenance: 'template' });
    let eff = await effectiveCorrections(db, '/data/208');
    expect([...eff.entries()].map(([s, c]) => [s, c.label])).toEqual([[10, 'F'], [20, 'S'], [30, 'S']]);

    expect((await undoLast(db, '/data/208')).map((r) => r.sample).sort()).toEqual([20, 30]);
    expect((await undoLast(db, '/data/208')).map((r) => r.label)).toEqual(['F']);
    eff = await effectiveCorrections(db, '/data/208');
    expect([...eff.values()].map((c) => c.label)).toEqual(['V']);
    expect((await redoNext(db, '/data/208')).map((r) => r.label)).toEqual(['F']);
    expect((await effectiveCorrections(db, '/data/208')).get(10)!.label).toBe('F');

    // A new correction ends the redo history (the undone template action is gone), but the log keeps the rest.
    await addCorrection(db, { ...base, sample: 40, label: 'Q', previous: 'N', group: 'g4' });
    expect(await redoNext(db, '/data/208')).toEqual([]);
    const all = await db.corrections.toArray();
    expect(all.map((c) => c.sample)).toEqual([10, 10, 40]);
    expect(all.every((c) => c.reviewer === 'dr a' && typeof c.at === 'string')).toBe(true);
    // Other recordings are untouched by undo.
    await addCorrection(db, { ...base, recordingPath: '/data/100', sample: 5, label: 'V', previous: 'N', group: 'h1' });
    await undoLast(db, '/data/208');
    expect((await effectiveCorrections(db, '/data/100')).size).toBe(1);
  });
});
