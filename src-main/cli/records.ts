/** Record arguments: paths, or with `--db <dir>` names inside it, where all, ds1 and ds2 stand for the MIT-BIH sets. */
import { join } from 'node:path';
import { DS1, DS2, MITDB_RECORDS } from '../domain/mitdb.js';

const SETS: Record<string, readonly string[]> = { all: MITDB_RECORDS, ds1: DS1, ds2: DS2 };

export function recordPaths(positionals: readonly string[], db: string | undefined): string[] {
  return db ? positionals.flatMap((p) => SETS[p.toLowerCase()] ?? [p]).map((name) => join(db, name)) : [...positionals];
}
