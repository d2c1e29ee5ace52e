/**
 * Where the test data lives: `../shared/data` beside the repository (MIT-BIH in `mitdb/`, the NSTDB noise
 * records in `nstdb-noise/`), overridable with ECG_DATA_DIR. On CI a missing database fails loudly; on a
 * developer machine the tests that need it are skipped with a message that says where they looked.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DATA_DIR = process.env.ECG_DATA_DIR ?? resolve(REPO_ROOT, '../shared/data');
export const MITDB_DIR = join(DATA_DIR, 'mitdb');
export const NSTDB_DIR = join(DATA_DIR, 'nstdb-noise');
export const HAVE_MITDB = existsSync(join(MITDB_DIR, '100.hea'));

if (!HAVE_MITDB && process.env.CI) {
  throw new Error(`MIT-BIH Arrhythmia Database not found at ${MITDB_DIR} (set ECG_DATA_DIR); CI requires it`);
}

export { MITDB_RECORDS, DS1, DS2 } from '../../src-main/domain/mitdb.js';

export function mitdbRecord(name: string): string {
  return join(MITDB_DIR, name);
}

/** `describe` for suites that need MIT-BIH: skipped, visibly, when the database is absent outside CI. */
export const describeMitdb: typeof describe = HAVE_MITDB
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`[skip] ${name}: MIT-BIH not found at ${MITDB_DIR}`);
      return describe.skip(`${name} (MIT-BIH not found at ${MITDB_DIR})`, fn);
    }) as unknown as typeof describe);
