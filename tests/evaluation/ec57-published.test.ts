/**
 * Conformance with a real `sumstats` output of a `bxb -L` run on the MIT-BIH Arrhythmia Database (44 non-paced
 * records, standard 5-minute start), published in a public GitHub notes file ("Model server in mitdb"):
 *
 *   Sum  72061 1109 303 367  30 2435 1514 248   1   3  79 106 5264 251  38 120  16  85  19
 *   Gross                                                                                99.71  99.92  89.22  95.94  55.15  36.05
 *   Total QRS complexes: 83978  Total VEBs: 5900  Total SVEBs: 2…   (the SVEB total is cut off in the note)
 *
 * Two checks: (1) the gross statistics and the layout of the Sum/Gross lines, computed by our summary from those
 * column sums; (2) the reference side of that run — per reference class, the row totals of the Sum line — equals
 * what our comparison of the MIT-BIH reference annotations with themselves counts (5-minute start, VF skipped,
 * paced records excluded, bxb's class table with j and e in S).
 */
import { expect, it } from 'vitest';
import { MITDB_PACED_RECORDS } from '../../src-main/domain/mitdb.js';
import { BXB_LABELS, compareBeats, formatFixed, formatSumstatsFooter, summarizeRecords, type BxbComparison } from '../../src-main/evaluation/ec57/index.js';
import { readWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { describeMitdb, MITDB_RECORDS, mitdbRecord } from '../helpers/data.js';

const SUM_LINE = 'Sum  72061 1109 303 367  30 2435 1514 248   1   3  79 106 5264 251  38 120  16  85  19';
const GROSS_LINE = 'Gross                                                                                99.71  99.92  89.22  95.94  55.15  36.05';

/** A bxb matrix whose -L line columns are the published sums (primed columns put in their first cell). */
function matrixFromSumLine(line: string): BxbComparison {
  const [Nn, Sn, Vn, Fn, On, Ns, Ss, Vs, Fs, Os, Nv, Sv, Vv, Fv, Ov, No, So, Vo, Fo] = line.split(/\s+/).slice(1).map(Number);
  const counts = new Int32Array(49);
  const set = (r: string, c: string, v: number): void => { counts[BXB_LABELS.indexOf(r as never) * 7 + BXB_LABELS.indexOf(c as never)] = v; };
  set('N', 'N', Nn); set('S', 'N', Sn); set('V', 'N', Vn); set('F', 'N', Fn); set('O', 'N', On);
  set('N', 'S', Ns); set('S', 'S', Ss); set('V', 'S', Vs); set('F', 'S', Fs); set('O', 'S', Os);
  set('N', 'V', Nv); set('S', 'V', Sv); set('V', 'V', Vv); set('F', 'V', Fv); set('O', 'V', Ov);
  set('N', 'O', No); set('S', 'O', So); set('V', 'O', Vo); set('F', 'O', Fo);
  return { fs: 360, start: 108000, end: 650000, matchWindow: 54, counts, rrErrorSumSquares: 0, rrErrorCount: 0, shutdownSeconds: 0 };
}

it('reproduces the published sumstats Sum and Gross lines and totals from its column sums', () => {
  const s = summarizeRecords([matrixFromSumLine(SUM_LINE)]);
  const g = s.gross;
  expect([g.qrsSensitivity, g.qrsPositivePredictivity, g.vebSensitivity, g.vebPositivePredictivity, g.svebSensitivity, g.svebPositivePredictivity]
    .map((x) => formatFixed(x!, 2))).toEqual(['99.71', '99.92', '89.22', '95.94', '55.15', '36.05']);
  const footer = formatSumstatsFooter(s);
  expect(footer[1]).toBe(SUM_LINE);
  expect(footer[2]).toBe(GROSS_LINE);
  expect(footer[4]).toMatch(/^Total QRS complexes: 83978 {2}Total VEBs: 5900 {2}Total SVEBs: 2/);
});

describeMitdb('reference side of the published MIT-BIH run', () => {
  it('our self-comparison of the 44 non-paced records from 5 minutes counts the same N, S, V and F+Q reference beats', async () => {
    const paced = new Set<string>(MITDB_PACED_RECORDS);
    const comparisons: BxbComparison[] = [];
    const aami: BxbComparison[] = [];
    for (const r of MITDB_RECORDS.filter((x) => !paced.has(x))) {
      const atr = await readWfdbAnnotationFile(`${mitdbRecord(r)}.atr`);
      comparisons.push(compareBeats(atr, atr, { fs: 360, recordLength: 650000 }));
      aami.push(compareBeats(atr, atr, { fs: 360, recordLength: 650000, mapping: 'aami' }));
    }
    const ours = summarizeRecords(comparisons);
    const pub = summarizeRecords([matrixFromSumLine(SUM_LINE)]).sum;
    // Row totals of the -L columns: N = Nn'+Ns+Nv+No', S = Sn'+Ss+Sv+So', V = Vn'+Vs+Vv+Vo', F+Q = Fn'+Fs'+Fv'+Fo'.
    const rows = (x: typeof pub): number[] => [x.Nn + x.Ns + x.Nv + x.No, x.Sn + x.Ss + x.Sv + x.So, x.Vn + x.Vs + x.Vv + x.Vo, x.Fn + x.Fs + x.Fv + x.Fo];
    expect(rows(ours.sum)).toEqual(rows(pub));
    expect(ours.totalQrs).toBe(83978);
    expect(ours.totalVeb).toBe(5900);
    // The EC57/de Chazal table (j, e in N) would not reproduce bxb's S total: bxb counts escape beats as S.
    expect(rows(summarizeRecords(aami).sum)[1]).toBeLessThan(rows(pub)[1]);
  });
});
