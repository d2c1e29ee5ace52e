/**
 * `ecg-review study` against `classify` + `evaluate` of the command line itself: MIT-BIH 100 and 213 classified at
 * the reference beats by causal-student-int8, once through `study` and once record by record with `classify --beats
 * atr --format wfdb`, give the same pooled figures and intervals as `evaluate --whole --mapping aami --ci`; the report
 * CSV and LaTeX files are written (the LaTeX rows hold the study's figures); an adapted group is paired with the plain
 * model; bad flags are refused by name.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { StudyResult } from '../../src-main/api/contract.js';
import { escapeLatex } from '../../src-main/services/study-latex.js';
import { runCliCaptured as cli } from '../helpers/cli.js';
import { describeMitdb, MITDB_DIR } from '../helpers/data.js';

const dir = mkdtempSync(join(tmpdir(), 'ecg-review-study-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeMitdb('ecg-review study', () => {
  it('equals classify --beats atr + evaluate --whole --mapping aami --ci for the same records and model', async () => {
    const html = join(dir, 'study.html'), csv = join(dir, 'study.csv'), tex = join(dir, 'study.tex');
    const r = await cli('study', '--db', MITDB_DIR, '100', '213', '--model', 'causal-student-int8', '--draws', '300', '--json', '--html', html, '--csv', csv, '--latex', tex);
    expect(r.code, r.stderr).toBe(0);
    const study = JSON.parse(r.stdout) as Omit<StudyResult, 'csv'>;
    for (const rec of ['100', '213']) {
      const c = await cli('classify', join(MITDB_DIR, rec), '--model', 'causal-student-int8', '--beats', 'atr', '--format', 'wfdb', '--out', join(dir, `${rec}.cls`));
      expect(c.code, c.stderr).toBe(0);
    }
    const e = await cli('evaluate', '--db', MITDB_DIR, '--test', join(dir, '{record}.cls'), '100', '213', '--whole', '--mapping', 'aami', '--ci', '--ci-draws', '300', '--json');
    expect(e.code, e.stderr).toBe(0);
    const cf = JSON.parse(e.stdout).summary.classFigures;
    const [m] = study.models;
    expect(m.arm).toBe('causal-student-int8');
    for (const k of ['N', 'S', 'V', 'F'] as const) {
      expect(m.gross.perClass[k].se).toBeCloseTo(cf.perClass[k].se, 9);
      expect(m.gross.perClass[k].ppv).toBeCloseTo(cf.perClass[k].ppv, 9);
    }
    expect(m.gross.accuracy).toBeCloseTo(cf.accuracy, 9);
    expect(m.gross.intervals).toEqual(cf.intervals.intervals);
    expect(readFileSync(html, 'utf8')).toMatch(/<h1>Beat classification study — 2 recordings, 1 model<\/h1>/);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toMatch(/^model,recording,row,adapted,/);
    // The LaTeX table: the model's row holds the same figures, each over its interval, and de Chazal's row.
    const latex = readFileSync(tex, 'utf8');
    const iv = m.gross.intervals!;
    const cellOf = (v: number | null, k: string): string => `\\shortstack{${v!.toFixed(1)}\\\\\\scriptsize ${iv[k]!.lo.toFixed(1)}--${iv[k]!.hi.toFixed(1)}}`;
    const row = latex.split('\n').find((l) => l.startsWith('causal-student-int8 & 2 & '))!;
    expect(row).toContain(` & ${m.gross.beats} & ${cellOf(m.gross.perClass.N.se, 'N.se')} & ${cellOf(m.gross.perClass.N.ppv, 'N.ppv')} & `);
    expect(row).toContain(cellOf(m.gross.accuracy, 'accuracy'));
    // ECE over its interval across the two recordings, in percent like the figures.
    const ece = m.calibration!.intervals!.ece!;
    expect(row.endsWith(` & \\shortstack{${(100 * m.calibration!.ece).toFixed(1)}\\\\\\scriptsize ${(100 * ece.lo).toFixed(1)}--${(100 * ece.hi).toFixed(1)}} \\\\`)).toBe(true);
    expect(latex).toContain('de Chazal et al.\\ 2004 (DS2) & 22 & -- & 86.9 & 99.2 & 75.9 & 38.5 & 77.7 & 81.9 & ');
    // the figures' table, the burden agreement's (two recordings give a Bland–Altman) and the AF table (both
    // records' atr have rhythm annotations, and no AF)
    expect(latex.match(/\\begin\{(table|tabular)\}/g)).toHaveLength(6);
    const af = m.af!;
    expect([af.recordings, af.model.referenceSeconds, af.reference.foundSeconds]).toEqual([2, 0, 0]);
    const afRow = (a: typeof af.model): string => `${a.durationSe === null ? '--' : a.durationSe.toFixed(1)} & ${a.durationPpv === null ? '--' : a.durationPpv.toFixed(1)} & ${a.referenceEpisodesFound}/${a.referenceEpisodes} & ${a.foundEpisodesTrue}/${a.foundEpisodes} \\\\`;
    expect(latex).toContain(`causal-student-int8 & 2 & ${afRow(af.model)}`);
    expect(latex).toContain('reference beat labels & 2 & -- & -- & 0/0 & 0/0 \\\\');
    // each recording's S burden outside AF is what its Holter summary states: holter --model on the same beats
    for (const rec of m.recordings) {
      const h = await cli('holter', join(MITDB_DIR, rec.recording), '--model', 'causal-student-int8', '--beats', 'atr', '--json');
      const s = JSON.parse(h.stdout);
      expect(rec.af!.sBurdenOutsideAf.model).toBeCloseTo((100 * s.ectopy.S.total) / (s.beats - s.unlabelled), 9);
    }
    expect(m.af!.sBurdenOutsideAf!.recordings).toBe(2);
    expect(latex).toMatch(new RegExp(`^causal-student-int8 & 2 & [^\\n]*${m.burden.V!.bias >= 0 ? '\\+' : '\\$-\\$'}${Math.abs(m.burden.V!.bias).toFixed(2)} & `, 'm'));
    expect(latex.match(/\\end\{(table|tabular)\}/g)).toHaveLength(6);
    expect(latex).toContain('Under each figure its interval: 95 \\% percentile bootstrap over recordings');
  }, 180_000);

  it('--adapt-minutes adds each model adapted to each patient as a group of its own, paired with the plain model on the same beats', async () => {
    const tex = join(dir, 'adapted.tex');
    const r = await cli('study', '--db', MITDB_DIR, '232', '--model', 'causal-student-int8', '--adapt-minutes', '5', '--draws', '0', '--latex', tex);
    expect(r.code, r.stderr).toBe(0);
    // One recording, no draws: figures without intervals, and the pair's table.
    const latex = readFileSync(tex, 'utf8');
    expect(latex).not.toContain('shortstack');
    expect(latex).toContain('causal-student-int8 $-$ causal-student-int8, adapted 5 min & 1 & ');
    expect(latex).toMatch(/Adapted models learnt each patient's first minutes/);
    expect(r.stdout).toMatch(/^causal-student-int8, adapted 5 min — 1 recording\(s\), \d+ beats \(patient-specific/m);
    expect(r.stdout).toMatch(/^causal-student-int8 − causal-student-int8, adapted 5 min on 1 recording\(s\), both scored from the later start on 232 \(300 s\):/m);
  }, 180_000);

  it('escapes what LaTeX treats as commands in names', () => {
    expect(escapeLatex('a_b & 50% #1 {x} $y ~z ^w \\v')).toBe('a\\_b \\& 50\\% \\#1 \\{x\\} \\$y \\textasciitilde{}z \\textasciicircum{}w \\textbackslash{}v');
  });

  it('refuses bad flags by name', async () => {
    const bad = async (...args: string[]): Promise<string> => { const r = await cli('study', ...args); expect(r.code).not.toBe(0); return r.stderr; };
    expect(await bad('--db', MITDB_DIR, '100')).toMatch(/study needs --model <id>/);
    expect(await bad('--model', 'cnn')).toMatch(/study needs at least one <record>/);
    expect(await bad('--db', MITDB_DIR, '100', '--model', 'cnn', '--beats', 'atr')).toMatch(/--beats must be reference or detector, got 'atr'/);
    expect(await bad('--db', MITDB_DIR, '100', '--model', 'cnn', '--adapt-minutes', '0')).toMatch(/--adapt-minutes must be a positive number of minutes, got 0/);
    expect(await bad('--db', MITDB_DIR, '100', '--model', 'nope')).toMatch(/unknown model 'nope'/);
  }, 60_000);
});
