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
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MITDB_PACED_RECORDS } from '../../src-main/domain/mitdb.js';
import { BXB_LABELS, compareBeats, formatFixed, formatSumstatsFooter, recordStatistics, summarizeRecords, type BxbComparison } from '../../src-main/evaluation/ec57/index.js';
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
 * Two more real runs, `bxb -l` (SVEB-blind line format, 5-minute start) of a third-party QRS detector on all
 * 48 records, then `sumstats` (fixtures/README.md says where they come from). Columns:
 * Record Nn' Vn' Fn' On' Nv Vv Fv' Ov' No' Vo' Fo' | Q Se, Q +P, V Se, V +P, V FPR.
 */
const FIXTURES = ['bxb-l-og-nominimax.txt', 'bxb-l-improved.txt'];

interface Published { records: { name: string; counts: number[]; stats: string[] }[]; gross: string[]; average: string[]; totalQrs: number }

function readPublished(file: string): Published {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8').split('\n');
  const records = text.filter((l) => /^ *\d{3} /.test(l)).map((l) => {
    const f = l.trim().split(/\s+/);
    return { name: f[0], counts: f.slice(1, 12).map(Number), stats: f.slice(12) };
  });
  const fields = (prefix: string): string[] => text.find((l) => l.startsWith(prefix))!.trim().split(/\s+/).slice(1);
  return { records, gross: fields('Gross'), average: fields('Average'), totalQrs: Number(/Total QRS complexes: (\d+)/.exec(text.join('\n'))![1]) };
}

/** A bxb matrix holding a -l line's columns (SVEB-blind: every supraventricular beat is in N). */
function matrixFromLLine(c: number[]): BxbComparison {
  const [nn, vn, fn, on, nv, vv, fv, ov, no, vo, fo] = c;
  const counts = new Int32Array(49);
  const set = (r: string, k: string, v: number): void => { counts[BXB_LABELS.indexOf(r as never) * 7 + BXB_LABELS.indexOf(k as never)] = v; };
  set('N', 'N', nn); set('V', 'N', vn); set('F', 'N', fn); set('O', 'N', on);
  set('N', 'V', nv); set('V', 'V', vv); set('F', 'V', fv); set('O', 'V', ov);
  set('N', 'O', no); set('V', 'O', vo); set('F', 'O', fo);
  return { fs: 360, start: 108000, end: 650000, matchWindow: 54, counts, rrErrorSumSquares: 0, rrErrorCount: 0, shutdownSeconds: 0 };
}

const fmt = (x: number | null, digits = 2): string => (x === null ? '-' : formatFixed(x, digits));

it('reproduces every per-record statistic and the Gross/Average lines of two published 48-record runs', () => {
  for (const file of FIXTURES) {
    const pub = readPublished(file);
    expect(pub.records).toHaveLength(48);
    const comparisons = pub.records.map((r) => matrixFromLLine(r.counts));
    pub.records.forEach((r, i) => {
      const s = recordStatistics(comparisons[i]);
      expect([fmt(s.qrsSensitivity), fmt(s.qrsPositivePredictivity), fmt(s.vebSensitivity), fmt(s.vebPositivePredictivity), fmt(s.vebFalsePositiveRate, 3)], `${file} ${r.name}`)
        .toEqual(r.stats);
    });
    const sum = summarizeRecords(comparisons);
    const line = (x: typeof sum.gross): string[] => [fmt(x.qrsSensitivity), fmt(x.qrsPositivePredictivity), fmt(x.vebSensitivity), fmt(x.vebPositivePredictivity), fmt(x.vebFalsePositiveRate, 3)];
    expect(line(sum.gross), `${file} gross`).toEqual(pub.gross);
    expect(line(sum.average), `${file} average`).toEqual(pub.average);
    expect(sum.totalQrs).toBe(pub.totalQrs);
  }
});

describeMitdb('reference side of the published 48-record bxb -l runs', () => {
  it('every record has the same N+S, V and F+Q reference totals as bxb counted', async () => {
    const runs = FIXTURES.map(readPublished);
    const all: BxbComparison[] = [];
    for (const [i, rec] of runs[0].records.entries()) {
      const atr = await readWfdbAnnotationFile(`${mitdbRecord(rec.name)}.atr`);
      const c = compareBeats(atr, atr, { fs: 360, recordLength: 650000 });
      all.push(c);
      const row = (r: string): number => BXB_LABELS.reduce((s, _, k) => s + c.counts[BXB_LABELS.indexOf(r as never) * 7 + k], 0);
      for (const run of runs) {
        const [nn, vn, fn, , nv, vv, fv, , no, vo, fo] = run.records[i].counts;
        expect([row('N') + row('S'), row('V'), row('F') + row('Q')], rec.name).toEqual([nn + nv + no, vn + vv + vo, fn + fv + fo]);
      }
    }
    expect(summarizeRecords(all).totalQrs).toBe(runs[0].totalQrs);
  });
});

describeMitdb('pairing on a real detector output (record 108, published bxb -l line)', () => {
  it('gives exactly the counts bxb printed: 1116 N, 11 V, 2 F paired; 148 extra; 349 N and 2 V missed', async () => {
    const samples = readFileSync(new URL('./fixtures/108-og-nominimax-detections.txt', import.meta.url), 'utf8').trim().split('\n').map(Number);
    const test = samples.map((sample) => ({ sample, symbol: 'N', code: 1, subtype: 0, chan: 0, num: 0, aux: '' }));
    const atr = await readWfdbAnnotationFile(`${mitdbRecord('108')}.atr`);
    const c = compareBeats(atr, test, { fs: 360, recordLength: 650000 });
    const m = (r: string, k: string): number => c.counts[BXB_LABELS.indexOf(r as never) * 7 + BXB_LABELS.indexOf(k as never)];
    const sum = (rs: string[], ks: string[]): number => rs.reduce((s, r) => s + ks.reduce((t, k) => t + m(r, k), 0), 0);
    const beats = ['N', 'S', 'F', 'Q'];
    // The -l columns (SVEB-blind): Nn' Vn' Fn' On' Nv Vv Fv' Ov' No' Vo' Fo'.
    const ours = [
      sum(['N', 'S'], beats), sum(['V'], beats), sum(['F', 'Q'], beats), sum(['O', 'X'], beats),
      sum(['N', 'S'], ['V']), m('V', 'V'), sum(['F', 'Q'], ['V']), sum(['O', 'X'], ['V']),
      sum(['N', 'S'], ['O', 'X']), sum(['V'], ['O', 'X']), sum(['F', 'Q'], ['O', 'X']),
    ];
    const published = readPublished('bxb-l-og-nominimax.txt').records.find((r) => r.name === '108')!;
    expect(ours).toEqual(published.counts);
    const s = recordStatistics(c);
    expect([fmt(s.qrsSensitivity), fmt(s.qrsPositivePredictivity)]).toEqual(published.stats.slice(0, 2));
  });
});
