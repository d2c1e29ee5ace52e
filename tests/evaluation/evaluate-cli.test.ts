/**
 * `ecg-review evaluate` end to end on MIT-BIH: test annotation files written the way `detect --format wfdb`
 * writes them (a directory of <record>.qrs files), with beats deleted and relabelled so the expected counts are
 * known, and the lookup rules for --test.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Annotation } from '../../src-main/domain/annotation.js';
import { runCli } from '../../src-main/cli/main.js';
import type { CliIo } from '../../src-main/cli/command.js';
import { readWfdbAnnotationFile, writeWfdbAnnotationFile } from '../../src-main/formats/wfdb/index.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io: CliIo = { out: async (t) => { out += t; }, err: (t) => { err += `${t}\n`; }, progress: () => {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const BEAT = /^[NLRBaJASjenVrEFQ/f?]$/;
const START = 108000; // 5 min at 360 Hz

describeMitdb('ecg-review evaluate', () => {
  let dir: string;
  /** Per record: beats deleted after 5 min, V relabelled N after 5 min. */
  const made: Record<string, { deleted: number; deletedAll: number; vAsN: number; beats: number }> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-eval-'));
    for (const name of ['100', '119']) {
      const atr = await readWfdbAnnotationFile(`${mitdbRecord(name)}.atr`);
      const beats = atr.filter((a) => BEAT.test(a.symbol));
      let deleted = 0, deletedAll = 0, vAsN = 0;
      const out: Annotation[] = [];
      beats.forEach((b, i) => {
        if (i % 25 === 10) {
          deletedAll++;
          if (b.sample >= START) deleted++;
          return;
        }
        // A detector-plus-classifier output: AAMI symbols only.
        let symbol = /[VEr]/.test(b.symbol) ? 'V' : /[aJASjen]/.test(b.symbol) ? 'S' : b.symbol === 'F' ? 'F' : /[Q/f?]/.test(b.symbol) ? 'Q' : 'N';
        if (symbol === 'V' && i % 4 === 1) {
          symbol = 'N';
          if (b.sample >= START) vAsN++;
        }
        out.push({ sample: b.sample, symbol, code: 0, subtype: 0, chan: 0, num: 0, aux: '' });
      });
      made[name] = { deleted, deletedAll, vAsN, beats: beats.filter((b) => b.sample >= START).length };
      await writeWfdbAnnotationFile(join(dir, `${name}.qrs`), out);
    }
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('reads <dir>/<record>.* and reports per-record counts, gross and average as JSON', async () => {
    const r = await cli(['evaluate', '--test', dir, mitdbRecord('100'), mitdbRecord('119'), '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.records.map((x: { record: string }) => x.record)).toEqual(['100', '119']);
    for (const rec of j.records) {
      const m = made[rec.record];
      const cell = (row: string, col: string): number => rec.matrix.counts[rec.matrix.rows.indexOf(row)][rec.matrix.columns.indexOf(col)];
      // Missed beats are the deletions; nothing extra; V relabelled N are Vn.
      expect(rec.matrix.rows.reduce((s: number, row: string) => s + cell(row, 'o'), 0)).toBe(m.deleted);
      expect(cell('O', 'n') + cell('O', 'v')).toBe(0);
      expect(cell('V', 'n')).toBe(m.vAsN);
      expect(rec.statistics.qrsSensitivity).toBeCloseTo((100 * (m.beats - m.deleted)) / m.beats, 10);
      expect(rec.statistics.qrsPositivePredictivity).toBe(100);
      expect(rec.startSample).toBe(START);
    }
    const total = made['100'].beats + made['119'].beats;
    const missed = made['100'].deleted + made['119'].deleted;
    expect(j.summary.totalQrs).toBe(total);
    expect(j.summary.gross.qrsSensitivity).toBeCloseTo((100 * (total - missed)) / total, 10);
    const se = j.records.map((x: { statistics: { qrsSensitivity: number } }) => x.statistics.qrsSensitivity);
    expect(j.summary.average.qrsSensitivity).toBeCloseTo((se[0] + se[1]) / 2, 10);
  });

  it('--whole starts at sample 0 and counts the deletions of the first 5 minutes too', async () => {
    const r = await cli(['evaluate', '--test', join(dir, '{record}.qrs'), mitdbRecord('119'), '--json', '--whole']);
    const rec = JSON.parse(r.out).records[0];
    expect(rec.startSample).toBe(0);
    const missed = rec.matrix.counts.reduce((s: number, row: number[]) => s + row[5], 0);
    expect(missed).toBe(made['119'].deletedAll);
  });

  it('--from-minute moves the start of the test period', async () => {
    const r = await cli(['evaluate', '--test', 'atr', mitdbRecord('100'), '--json', '--from-minute', '10']);
    expect(JSON.parse(r.out).records[0].startSample).toBe(10 * 60 * 360);
    const both = await cli(['evaluate', '--test', 'atr', mitdbRecord('100'), '--whole', '--from-minute', '10']);
    expect(both.err).toMatch(/exclusive/);
  });

  it('--db resolves record names and the ds2 shortcut', async () => {
    const { MITDB_DIR } = await import('../helpers/data.js');
    const r = await cli(['evaluate', '--db', MITDB_DIR, '--test', 'atr', 'ds2', '--json']);
    const j = JSON.parse(r.out);
    const { DS2 } = await import('../../src-main/domain/mitdb.js');
    expect(j.records.map((x: { record: string }) => x.record)).toEqual([...DS2]);
    expect(j.summary.gross.qrsSensitivity).toBe(100);
  });

  it('prints the bxb line table and sumstats lines by default', async () => {
    const r = await cli(['evaluate', '--test', dir, mitdbRecord('100'), mitdbRecord('119')]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.some((l) => l.startsWith("Record Nn' Sn' Vn'"))).toBe(true);
    expect(lines.some((l) => /^ 100 +\d+/.test(l))).toBe(true);
    expect(lines.some((l) => /^ 119 +\d+/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('Gross '))).toBe(true);
    expect(lines.some((l) => l.startsWith('Average '))).toBe(true);
    expect(r.out).toContain('Summary of results from 2 records');
    const m = await cli(['evaluate', '--test', dir, mitdbRecord('119'), '--matrix']);
    const table = m.out.split('\n');
    const at = table.indexOf('        n    s    v    f    q    o    x');
    expect(at).toBeGreaterThan(0);
    const vRow = table[at + 4].split('|')[1].trim().split(/\s+/).map(Number);
    expect(vRow[0]).toBe(made['119'].vAsN);
  });

  it('skips paced records unless --include-paced', async () => {
    const r = await cli(['evaluate', '--test', 'atr', mitdbRecord('102'), mitdbRecord('100'), '--json']);
    const j = JSON.parse(r.out);
    expect(j.records.map((x: { record: string }) => x.record)).toEqual(['100']);
    expect(j.skipped[0].record).toBe('102');
    const all = JSON.parse((await cli(['evaluate', '--test', 'atr', mitdbRecord('102'), '--json', '--include-paced'])).out);
    expect(all.records[0].record).toBe('102');
    // Paced beats are class Q in bxb: all of record 102's paced beats pair as Qq.
    expect(all.records[0].matrix.counts[4][4]).toBeGreaterThan(1000);
  });

  it('--ci: de Chazal class figures of the summed matrix, each inside the range its records span, reproducibly', async () => {
    const args = ['evaluate', '--test', dir, mitdbRecord('100'), mitdbRecord('119'), '--whole', '--mapping', 'aami', '--ci', '--json'];
    const r = await cli(args);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const c = j.summary.classFigures;
    const rowOf = (m: { rows: string[]; columns: string[]; counts: number[][] }, row: string): number[] => ['n', 's', 'v', 'f', 'q'].map((col) => m.counts[m.rows.indexOf(row)][m.columns.indexOf(col)]);
    // Point figures: the summed matrix's. A quarter of 119's V beats were relabelled N.
    const v = rowOf(j.summary.matrix, 'V');
    expect(c.perClass.V.se).toBeCloseTo((100 * v[2]) / v.reduce((a: number, b: number) => a + b, 0), 10);
    expect(c.perClass.V.se).toBeGreaterThan(70);
    expect(c.perClass.V.se).toBeLessThan(80);
    expect(c.perClass.N.se).toBe(100);
    expect(c.intervals.records).toBe(2);
    expect(c.intervals.draws).toBe(2000);
    // A pooled ratio of any resample of records lies between the records' own ratios (the mediant inequality),
    // so every interval must sit inside that range, and here it reaches both ends (2 records, 2000 draws).
    const nPpv = j.records.map((x: { matrix: { rows: string[]; columns: string[]; counts: number[][] } }) => {
      const col = ['N', 'S', 'V', 'F', 'Q'].map((row) => x.matrix.counts[x.matrix.rows.indexOf(row)][x.matrix.columns.indexOf('n')]);
      return (100 * col[0]) / col.reduce((a, b) => a + b, 0);
    });
    const iv = c.intervals.intervals['N.ppv'];
    expect(iv.lo).toBeCloseTo(Math.min(...nPpv), 10);
    expect(iv.hi).toBeCloseTo(Math.max(...nPpv), 10);
    expect(c.perClass.N.ppv).toBeGreaterThanOrEqual(iv.lo);
    expect(c.perClass.N.ppv).toBeLessThanOrEqual(iv.hi);
    // EC57's gross QRS Se over records, with its interval spanning the two records' own (from minute 0 here).
    const qrsSe = j.records.map((x: { statistics: { qrsSensitivity: number } }) => x.statistics.qrsSensitivity);
    const g = j.summary.grossIntervals.intervals.qrsSensitivity;
    expect(g.lo).toBeCloseTo(Math.min(...qrsSe), 10);
    expect(g.hi).toBeCloseTo(Math.max(...qrsSe), 10);
    expect(j.summary.gross.qrsSensitivity).toBeGreaterThan(g.lo);
    // Same counts, same seed: the same intervals; the text output prints them.
    expect((await cli(args)).out).toBe(r.out);
    const text = await cli(args.slice(0, -1));
    expect(text.out).toMatch(/Gross statistics with 95 % intervals \(percentile bootstrap over records: 2 records/);
    expect(text.out).toMatch(/Class figures over all records \(aami class mapping\), each with its 95 % interval \(percentile bootstrap over records: 2 records/);
    expect(text.out).toMatch(new RegExp(`N\\s+100\\.00 \\(100\\.00–100\\.00\\)\\s+${c.perClass.N.ppv.toFixed(2)}`));
    expect((await cli([...args, '--ci-draws', '5'])).err).toMatch(/--ci-draws must be an integer ≥ 100, got 5/);
  });

  it('names the problem when the test annotations cannot be found', async () => {
    await writeFile(join(dir, '100.cls'), new Uint8Array([0, 0]));
    const several = await cli(['evaluate', '--test', dir, mitdbRecord('100')]);
    expect(several.code).toBe(1);
    expect(several.err).toMatch(/several test annotation files for record 100 \(100\.cls, 100\.qrs\)/);
    const none = await cli(['evaluate', '--test', dir, mitdbRecord('101')]);
    expect(none.err).toMatch(/no test annotation file 101\.<ext>/);
    const missing = await cli(['evaluate', '--test', 'nosuchannotator', mitdbRecord('100')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/100\.nosuchannotator.*does not exist/);
    const bad = await cli(['evaluate', '--test', 'atr', '--mapping', 'xyz', mitdbRecord('100')]);
    expect(bad.err).toMatch(/--mapping must be bxb or aami/);
  });
});
