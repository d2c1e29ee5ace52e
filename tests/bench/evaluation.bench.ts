/**
 * EC57 comparison and metrics speed: bxb-style comparison of all 48 MIT-BIH reference files against themselves
 * (annotations pre-loaded), the whole `evaluateRecords` path with file reading, and ROC/PR over 100k scores.
 */
import { MITDB_RECORDS } from '../../src-main/domain/mitdb.js';
import { compareBeats, evaluateRecords } from '../../src-main/evaluation/ec57/index.js';
import { prCurve, rocCurve } from '../../src-main/evaluation/metrics.js';
import { mulberry32 } from '../../src-main/evaluation/random.js';
import { readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { HAVE_MITDB, mitdbRecord } from '../helpers/data.js';
import { time, type BenchTable } from './table.js';

export async function run(): Promise<BenchTable[]> {
  const rows: (string | number)[][] = [];
  if (HAVE_MITDB) {
    const atr = await Promise.all(MITDB_RECORDS.map((r) => readWfdbAnnotationFile(`${mitdbRecord(r)}.atr`)));
    const beats = atr.reduce((s, a) => s + a.length, 0);
    const cmp = await time(() => { for (const a of atr) compareBeats(a, a, { fs: 360, recordLength: 650000, startSeconds: 0 }); }, 5, 1);
    rows.push(['compareBeats, 48 records (in memory)', beats, cmp.median, cmp.min]);
    const all = await time(() => evaluateRecords(MITDB_RECORDS.map(mitdbRecord), { test: 'atr' }), 3, 1);
    rows.push(['evaluateRecords, 48 records (read + compare + summarise)', beats, all.median, all.min]);
  }
  const n = 100_000;
  const r = mulberry32(1);
  const scores = Float64Array.from({ length: n }, r);
  const pos = Uint8Array.from(scores, (s) => (r() < s ? 1 : 0));
  const roc = await time(() => rocCurve(pos, scores), 5, 1);
  rows.push(['rocCurve, 100k scores', n, roc.median, roc.min]);
  const pr = await time(() => prCurve(pos, scores), 5, 1);
  rows.push(['prCurve, 100k scores', n, pr.median, pr.min]);
  return [{ title: 'Evaluation (EC57 bxb port, metrics)', columns: ['operation', 'items', 'median ms', 'min ms'], rows }];
}
