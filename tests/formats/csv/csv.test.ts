import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPhysical } from '../../../src-main/domain/recording.js';
import fc from 'fast-check';
import { openCsvRecording, scanNumber } from '../../../src-main/formats/csv/index.js';
import { FormatError, openRecording } from '../../../src-main/formats/index.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'ecg-csv-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function put(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

async function refusal(p: string, fs?: number): Promise<FormatError> {
  try {
    await openCsvRecording(p, { fs });
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message).toContain(p);
    return e as FormatError;
  }
  throw new Error(`${p} was accepted`);
}

async function physical(p: string, fs?: number): Promise<{ fs: number; names: string[]; units: string[]; values: number[][]; warnings: string[] }> {
  const s = await openCsvRecording(p, { fs });
  const r = await s.read();
  return { fs: s.info.fs, names: s.info.signals.map((x) => x.name), units: s.info.signals.map((x) => x.units), values: r.signals.map((x) => Array.from(toPhysical(x))), warnings: s.info.warnings };
}

describeMitdb('CSV export of MIT-BIH record 100', () => {
  it('reads back the file values, infers 360 Hz from a seconds column', async () => {
    const src = await openRecording(mitdbRecord('100'));
    const w = await src.read({ from: 0, to: 3600 });
    const [a, b] = w.signals.map((s) => toPhysical(s));
    const lines = ['time,MLII (mV),V5 (mV)'];
    const texts: string[][] = [[], []];
    for (let i = 0; i < 3600; i++) {
      const ta = ((w.signals[0].samples[i] - 1024) / 200).toFixed(3);
      const tb = ((w.signals[1].samples[i] - 1024) / 200).toFixed(3);
      texts[0].push(ta);
      texts[1].push(tb);
      lines.push(`${(i / 360).toFixed(6)},${ta},${tb}`);
    }
    const p = await put('100.csv', `${lines.join('\r\n')}\r\n`);
    const s = await openRecording(p);
    expect(s.info.format).toBe('csv');
    expect(s.info.fs).toBe(360);
    expect(s.info.length).toBe(3600);
    expect(s.info.signals.map((x) => [x.name, x.units, x.gain, x.baseline])).toEqual([['MLII', 'mV', 1000, 0], ['V5', 'mV', 1000, 0]]);
    const r = await s.read({ from: 100, to: 3600 });
    const pa = toPhysical(r.signals[0]);
    const pb = toPhysical(r.signals[1]);
    for (let i = 100; i < 3600; i++) {
      expect(pa[i - 100]).toBe(Math.fround(Number(texts[0][i])));
      expect(pb[i - 100]).toBe(Math.fround(Number(texts[1][i])));
      expect(pa[i - 100]).toBeCloseTo(a[i], 6);
      expect(pb[i - 100]).toBeCloseTo(b[i], 6);
    }
  });
});

describe('CSV layouts', () => {
  it('hh:mm:ss.fff time column without a header, semicolons and decimal commas', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => {
      const t = 3600 * 23 + 59 * 60 + 59.9 + i * 0.004; // crosses midnight
      const wrapped = t % 86400;
      const hh = Math.floor(wrapped / 3600), mm = Math.floor((wrapped % 3600) / 60), ss = wrapped % 60;
      return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${ss.toFixed(3).padStart(6, '0')};${(i / 100).toFixed(2).replace('.', ',')};-${i}`;
    });
    const r = await physical(await put('clock.csv', rows.join('\n')));
    expect(r.fs).toBe(250);
    expect(r.names).toEqual(['ECG1', 'ECG2']);
    expect(r.values[0].slice(0, 3)).toEqual([0, Math.fround(0.01), Math.fround(0.02)]);
    expect(r.values[1][49]).toBe(-49);
  });

  it('tab-separated, header names like "Elapsed time", no time column with given fs', async () => {
    const a = await physical(await put('tab.tsv', 'Elapsed time\tI\tII\n0\t0.1\t0.2\n0.5\t0.3\t0.4\n1.0\t0.5\t0.6\n'));
    expect(a.fs).toBe(2);
    expect(a.names).toEqual(['I', 'II']);
    const b = await physical(await put('nofs.csv', 'a,b\n1,2\n3,4\n'), 128);
    expect(b.fs).toBe(128);
    expect(b.values).toEqual([[1, 3], [2, 4]]);
    const c = await physical(await put('noheader.csv', '1.5,2\n3,4.25\n'), 100);
    expect(c.names).toEqual(['ECG1', 'ECG2']);
    expect(c.values).toEqual([[1.5, 3], [2, 4.25]]);
  });

  it('chooses per-lead decimals (rescaling when finer values come later) and µV units', async () => {
    const r = await physical(await put('dec.csv', 't,V1 [uV],V2\n0,12,1\n0.01,-7.5,0.123456\n0.02,1e-3,2.5E1\n'));
    expect(r.units).toEqual(['uV', 'mV']);
    expect(r.values[0]).toEqual([12, -7.5, Math.fround(0.001)]); // toPhysical returns Float32
    expect(r.values[1].map((v) => Number(v.toFixed(6)))).toEqual([1, 0.123456, 25]);
  });

  it('empty and NaN cells become invalid samples, counted in warnings', async () => {
    const r = await physical(await put('nan.csv', 'time,A,B\n0,1,\n0.1,NaN,2\n0.2,,3\n0.3,4,5\n'));
    expect(r.values[0]).toEqual([1, NaN, NaN, 4]);
    expect(r.values[1]).toEqual([NaN, 2, 3, 5]);
    expect(r.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/'A': 2 of 4 samples/), expect.stringMatching(/'B': 1 of 4 samples/)]));
  });

  it('warns when the given fs contradicts the time column', async () => {
    const r = await physical(await put('clash.csv', 'time,A\n0,1\n0.01,2\n0.02,3\n'), 250);
    expect(r.fs).toBe(250);
    expect(r.warnings.join()).toMatch(/implies 100 Hz/);
  });
});

describe('number scanner', () => {
  it('accepts exactly [+-]?(digits[.digits]|.digits)([eE][+-]?digits)? and counts decimals', () => {
    const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    const decimals = (t: string): number => {
      const e = t.search(/[eE]/);
      const mant = e >= 0 ? t.slice(0, e) : t;
      const dot = mant.indexOf('.');
      return Math.max(0, (dot >= 0 ? mant.length - dot - 1 : 0) - (e >= 0 ? Number(t.slice(e + 1)) : 0));
    };
    const chars = fc.constantFrom('0', '1', '5', '9', '.', '-', '+', 'e', 'E', 'x', ' ', ',');
    fc.assert(fc.property(fc.array(chars, { maxLength: 8 }).map((a) => a.join('')), (t) => {
      expect(scanNumber(t) >= 0).toBe(NUMBER.test(t));
      if (NUMBER.test(t)) expect(scanNumber(t)).toBe(decimals(t));
    }), { numRuns: 3000, seed: 7 });
    expect([scanNumber('12.500'), scanNumber('1e-3'), scanNumber('2.5E1'), scanNumber('.5'), scanNumber('5.')]).toEqual([3, 3, 0, 1, 0]);
  });
});

describe('CSV errors name the line', () => {
  it('non-uniform time column', async () => {
    const e = await refusal(await put('jitter.csv', 'time,A\n0,1\n0.01,1\n0.02,1\n0.05,1\n0.06,1\n0.07,1\n'));
    expect(e.message).toMatch(/not uniform at line 5/);
    // Blank and comment lines between rows still give the right line number.
    const f = await refusal(await put('jitter2.csv', '# recorder X\ntime,A\n\n0,1\n# note\n0.01,1\n\n\n0.02,1\n0.05,1\n0.06,1\n0.07,1\n'));
    expect(f.message).toMatch(/not uniform at line 10/);
  });
  it('wrong cell count, text in a value, bad time', async () => {
    expect((await refusal(await put('cells.csv', 'time,A,B\n0,1,2\n0.1,1\n'))).message).toMatch(/line 3: has 2 cells, expected 3/);
    expect((await refusal(await put('text.csv', 'time,A\n0,1\n0.1,abc\n'))).message).toMatch(/line 3, column 'A': 'abc' is not a number/);
    expect((await refusal(await put('badtime.csv', 'time,A\n0,1\nsoon,1\n'))).message).toMatch(/line 3: time 'soon'/);
  });
  it('no fs and no time column; no data rows; only a time column; decreasing time', async () => {
    expect((await refusal(await put('nofs2.csv', 'A,B\n1,2\n'))).message).toMatch(/no time column.*sampling rate/);
    expect((await refusal(await put('header-only.csv', 'time,A\n'))).message).toMatch(/no data rows/);
    expect((await refusal(await put('timeonly.csv', 'time\n0\n1\n'))).message).toMatch(/no signal column/);
    expect((await refusal(await put('down.csv', 'time,A\n1,1\n0.5,1\n0,1\n'))).message).toMatch(/does not increase/);
  });
  it('bad fs option, empty file, directory, missing file, binary content', async () => {
    expect((await refusal(await put('ok.csv', 'A\n1\n'), -5)).message).toMatch(/sampling rate -5/);
    expect((await refusal(await put('empty.csv', ''))).message).toMatch(/empty/);
    await mkdir(join(dir, 'd.csv'));
    expect((await refusal(join(dir, 'd.csv'))).message).toMatch(/directory/);
    expect((await refusal(join(dir, 'missing.csv'))).message).toMatch(/no such file/);
    expect((await refusal(await put('bin.csv', 'A,B\n1,\u00002\n'), 100)).message).toMatch(/line 2: binary data/);
  });
});
