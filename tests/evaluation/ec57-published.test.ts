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

/**
 * Per-record count columns of a second real run, `bxb -l` (SVEB-blind line format, 5-minute start) of a QRS
 * detector on all 48 MIT-BIH records, then `sumstats` — public GitHub repository
 * MajBregar/BiomedicalSignalProcessing-Project1, file eval_benchmark_IMPROVED.txt (commit a64f2d21):
 * Record Nn' Vn' Fn' On'  Nv   Vv  Fv' Ov' No' Vo' Fo'   (its "Total QRS complexes: 91285").
 * The detector differs from ours, but each record's reference totals (N+S = Nn'+Nv+No', V = Vn'+Vv+Vo',
 * F+Q = Fn'+Fv'+Fo') depend only on the reference file and bxb's rules.
 */
const BXB_L_LINES = `
 100  1901   1   0   0   0    0   0   0   0   0   0
 101  1521   0   2   2   0    0   0   0   0   0   0
 102     1   3 1817   0   0    0   0   0   0   0   0
 103  1728   0   0   0   0    0   0   0   1   0   0
 104    98   1 1754  21   0    0   0   0   0   0   4
 105  2109  29   4  73   0    0   0   0  12   0   1
 106  1236 449   0   1   0    0   0   0   0  11   0
 107     0  53 1727   0   0    0   0   0   0   4   0
 108  1400  13   2 244   0    0   0   0  65   0   0
 109  2067  31   0   1   0    0   0   0   0   1   0
 111  1774   1   0   3   0    0   0   0   1   0   0
 112  2110   0   0   2   0    0   0   0   1   0   0
 113  1506   0   0   0   0    0   0   0   0   0   0
 114  1569  30   4   6   0    0   0   0   1   0   0
 115  1637   0   0   0   0    0   0   0   0   0   0
 116  1897  97   0   2   0    0   0   0  22   1   0
 117  1284   0   0   0   0    0   0   0   0   0   0
 118  1903  13   0   3   0    0   0   0   0   0   0
 119  1297 364   0   1   0    0   0   0   0   0   0
 121  1558   1   0   5   0    0   0   0   1   0   0
 122  2053   0   0   2   0    0   0   0   1   0   0
 123  1266   0   0   1   0    0   0   0   0   3   0
 124  1315  47   5   0   0    0   0   0   0   0   0
 200  1464 699   1  15   0    0   0   0   2   1   1
 201  1267 198   1   0   0    0   0   0  54   0   1
 202  1850  11   1   0   0    0   0   0   5   4   0
 203  2087 367   2  61   0    0   0   0  16   6   3
 205  2123  63  10   0   0    0   0   0   2   2   1
 207  1482 109   0  13   0    0   0   0   1   0   0
 208  1303 818 301   7   0    0   0   0   7   6   2
 209  2517   1   0   8   0    0   0   0   1   0   0
 210  2027 159   8   4   0    0   0   0   3   6   1
 212  2285   0   0   1   0    0   0   0   0   0   0
 213  2236 192 267   0   0    0   0   0   0   3   2
 214  1664 212   3   0   0    0   0   0   0   0   0
 215  2663 131   1   0   0    0   0   0   0   0   0
 217   235 135 1468   2   0    0   0   0   0   5   2
 219  1722  51   0   0   0    0   0   0   0   0   0
 220  1694   0   0   0   0    0   0   0   0   0   0
 221  1704 306   0   0   0    0   0   0   0  10   0
 222  2115   0   0   4   0    0   0   0   1   0   0
 223  1736 451   8   0   0    0   0   0   0   4   0
 228  1396 301   0  30   0    0   0   0   5   1   0
 230  1858   1   0   2   0    0   0   0   0   0   0
 231  1278   0   0   0   0    0   0   0   0   0   0
 232  1485   0   0   3   0    0   0   0   0   0   0
 233  1860 688   6   0   0    0   0   0   3   4   0
 234  2288   0   0   0   0    0   0   0   0   3   0
`;

describeMitdb('reference side of a published 48-record bxb -l run', () => {
  it('every record has the same N+S, V and F+Q reference totals as bxb counted, and 91285 QRS in all', async () => {
    const all: BxbComparison[] = [];
    for (const line of BXB_L_LINES.trim().split('\n')) {
      const [rec, ...v] = line.trim().split(/\s+/);
      const [nn, vn, fn, , nv, vv, fv, , no, vo, fo] = v.map(Number);
      const atr = await readWfdbAnnotationFile(`${mitdbRecord(rec)}.atr`);
      const c = compareBeats(atr, atr, { fs: 360, recordLength: 650000 });
      all.push(c);
      const row = (r: string): number => BXB_LABELS.reduce((s, _, k) => s + c.counts[BXB_LABELS.indexOf(r as never) * 7 + k], 0);
      expect([row('N') + row('S'), row('V'), row('F') + row('Q')], rec).toEqual([nn + nv + no, vn + vv + vo, fn + fv + fo]);
    }
    expect(all).toHaveLength(48);
    expect(summarizeRecords(all).totalQrs).toBe(91285);
  });
});
