import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation } from '../../../src-main/domain/annotation.js';
import { toPhysical, type Recording, type RecordingSource } from '../../../src-main/domain/recording.js';
import { openEdfRecording, writeEdf } from '../../../src-main/formats/edf/index.js';
import { FormatError, openRecording, readAnnotations } from '../../../src-main/formats/index.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';
import { buildEdf, patchField } from './build.js';

const require = createRequire(import.meta.url);
// edf-parser (CommonJS) serves as an independent decoder of header fields and physical values.
const edfParser = require('edf-parser') as {
  utils: { ParseEdfHeader: (b: Buffer, h: Record<string, unknown>) => boolean };
  StandardDecoder: new (dmin: number, dmax: number, pmin: number, pmax: number) => { Decode: (src: Buffer, out: number[]) => number };
};

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'ecg-edf-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function put(name: string, bytes: Uint8Array): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, bytes);
  return p;
}

async function refusal(p: string, open: (p: string) => Promise<RecordingSource> = openEdfRecording): Promise<FormatError> {
  try {
    const s = await open(p);
    await s.read();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message).toContain(p);
    return e as FormatError;
  }
  throw new Error(`${p} was accepted`);
}

/** Byte offset of signal field f (0 label … 8 samples per record) for signal i of ns signals. */
function sigField(ns: number, f: number, i: number): { offset: number; width: number } {
  const widths = [16, 80, 8, 8, 8, 8, 8, 80, 8, 32];
  let off = 256;
  for (let k = 0; k < f; k++) off += widths[k] * ns;
  return { offset: off + widths[f] * i, width: widths[f] };
}

const ecg = (spr = 200): { label: string; samplesPerRecord: number } => ({ label: 'ECG I', samplesPerRecord: spr });

describeMitdb('EDF+ round trip of MIT-BIH record 100', () => {
  let src: RecordingSource;
  let full: Recording;
  let atr: Annotation[];
  let edfPath: string;
  let edf: RecordingSource;

  beforeAll(async () => {
    src = await openRecording(mitdbRecord('100'));
    full = await src.read();
    atr = await readAnnotations(src, 'atr');
    edfPath = join(dir, '100.edf');
    await writeEdf(edfPath, full, atr);
    edf = await openRecording(edfPath);
  });

  it('keeps rate, leads, units and start; pads only the last record', () => {
    expect(edf.info.format).toBe('edf+');
    expect(edf.info.fs).toBe(src.info.fs);
    expect(edf.info.signals.map((s) => s.name)).toEqual(src.info.signals.map((s) => s.name));
    expect(edf.info.signals.map((s) => s.units)).toEqual(src.info.signals.map((s) => s.units));
    expect(edf.info.length).toBeGreaterThanOrEqual(src.info.length);
    expect(edf.info.length - src.info.length).toBeLessThan(edf.info.fs); // less than one 1-s record of padding
    expect(edf.info.warnings).toEqual([]);
  });

  it('gives back the physical values within one digital step, and invalid padding', async () => {
    const back = await edf.read();
    for (let c = 0; c < full.signals.length; c++) {
      const a = toPhysical(full.signals[c]);
      const b = toPhysical(back.signals[c]);
      const step = 1 / Math.abs(back.signals[c].gain);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThanOrEqual(step);
      for (let i = a.length; i < b.length; i++) expect(b[i]).toBeNaN();
    }
  });

  it('gives back every atr annotation with the same sample, symbol and aux', async () => {
    const back = await edf.embeddedAnnotations();
    expect(back.length).toBe(atr.length);
    expect(back.map((a) => [a.sample, a.symbol, a.aux])).toEqual(atr.map((a) => [a.sample, a.symbol, a.aux]));
    expect(back.filter((a) => a.aux !== '').length).toBeGreaterThan(0); // rhythm labels such as (N made it
  });

  it('reads any window identically to the full read, across record boundaries', async () => {
    const all = await edf.read();
    for (const [from, to] of [[0, 1], [359, 361], [100_000, 103_600], [649_000, src.info.length], [5, 5]]) {
      const w = await edf.read({ from, to, channels: [1, 0] });
      expect(w.signals[0].samples).toEqual(all.signals[1].samples.subarray(from, to));
      expect(w.signals[1].samples).toEqual(all.signals[0].samples.subarray(from, to));
    }
  });

  it('agrees with edf-parser on the header and on physical values', async () => {
    const bytes = await readFile(edfPath);
    const h: Record<string, unknown> = {};
    edfParser.utils.ParseEdfHeader(bytes.subarray(0, 256), h);
    expect(h.Signals).toBe(3); // 2 leads + EDF Annotations
    expect(h.HeaderLength).toBe(256 * 4);
    expect(h.DataRecords).toBe(edf.info.length / 360);
    // Decode record 500 of lead 0 with edf-parser's decoder, using the header's own ranges.
    const text = bytes.toString('latin1', 0, 1024);
    const num = (f: number, i: number): number => Number(text.slice(sigField(3, f, i).offset, sigField(3, f, i).offset + 8));
    const sprAnn = num(8, 2);
    const recordBytes = 2 * (360 * 2 + sprAnn);
    const dec = new edfParser.StandardDecoder(num(5, 0), num(6, 0), num(3, 0), num(4, 0));
    const out = new Array<number>(360).fill(0);
    dec.Decode(bytes.subarray(1024 + 500 * recordBytes, 1024 + 500 * recordBytes + 720), out);
    const ours = toPhysical((await edf.read({ from: 500 * 360, to: 501 * 360, channels: [0] })).signals[0]);
    for (let i = 0; i < 360; i++) expect(ours[i]).toBeCloseTo(out[i], 5);
  });

  it('refuses a window outside the recording and an unknown channel', async () => {
    await expect(edf.read({ from: -1, to: 10 })).rejects.toBeInstanceOf(FormatError);
    await expect(edf.read({ from: 0, to: edf.info.length + 1 })).rejects.toBeInstanceOf(FormatError);
    await expect(edf.read({ channels: [2] })).rejects.toThrow(/channel 2/);
  });
});

describe('EDF+ annotations channel capacity', () => {
  const fs = 250;
  const length = fs * 60;
  const recording = (): Recording => {
    const samples = new Int16Array(length).map((_, i) => Math.round(1000 * Math.sin(i / 10)));
    const info = { name: 'syn', path: 'syn', format: 'edf' as const, fs, length, startTime: null, warnings: [], comments: [], signals: [] };
    return { info, from: 0, to: length, signals: [{ name: 'ECG', units: 'mV', gain: 1000, baseline: 0, adcResolution: 16, adcZero: 0, storage: '16', samples }] };
  };
  const symbols = ['N', 'V', 'A', '+', '~', '"', 'F', 'Q', '|'];
  const auxes = ['', '', '(AFIB', 'Lights off', 'N', 'noise in V5 — déjà vu'];
  const make = (n: number, sampleOf: (k: number) => number): Annotation[] =>
    Array.from({ length: n }, (_, k) => {
      const symbol = symbols[k % symbols.length];
      const aux = symbol === '"' ? `note ${k}` : auxes[k % auxes.length];
      return { sample: sampleOf(k), symbol, code: 0, subtype: 0, chan: 0, num: 0, aux };
    });

  it.each([
    ['spread over the recording', (k: number) => Math.floor((k * length) / 100_000)],
    ['bunched in the last second', (k: number) => length - 1 - (k % fs)],
  ])('100,000 annotations %s come back identical', async (_, sampleOf) => {
    const anns = make(100_000, sampleOf);
    const p = join(dir, `many-${anns[99_999].sample}.edf`);
    await writeEdf(p, recording(), anns);
    const back = await (await openEdfRecording(p)).embeddedAnnotations();
    // Same multiset, and annotations sharing a sample keep their order.
    const key = (a: Annotation): string => `${a.sample}\u0001${a.symbol}\u0001${a.aux}`;
    expect(back.map(key)).toEqual([...anns].sort((a, b) => a.sample - b.sample).map(key));
  });
});

describe('EDF header deviations accepted with a warning', () => {
  const two = [ecg(), { label: 'ECG II', samplesPerRecord: 200 }];

  it('plain EDF: format, rate, start time, gain/baseline from the ranges', async () => {
    const s = await openEdfRecording(await put('plain.edf', buildEdf({ signals: two, records: 5 })));
    expect(s.info.format).toBe('edf');
    expect(s.info.fs).toBe(200);
    expect(s.info.length).toBe(1000);
    expect(s.info.startTime?.toISOString()).toBe('2002-03-02T10:20:30.000Z');
    expect(s.info.signals[0].gain).toBeCloseTo(65535 / 6.5535, 6);
    expect(s.info.warnings).toEqual([]);
    const r = await s.read({ from: 250, to: 260 });
    expect(Array.from(r.signals[0].samples)).toEqual(Array.from({ length: 10 }, (_, i) => 250 + i - 10000));
  });

  it('fractional record duration gives an exact rate (36 samples in 0.1 s = 360 Hz)', async () => {
    const s = await openEdfRecording(await put('dec.edf', buildEdf({ signals: [ecg(36)], records: 10, duration: '0.1' })));
    expect(s.info.fs).toBe(360);
    expect(s.info.length).toBe(360);
  });

  it('record count -1 → counted from the file size', async () => {
    const s = await openEdfRecording(await put('minus1.edf', buildEdf({ signals: two, records: 4, declaredRecords: '-1' })));
    expect(s.info.length).toBe(800);
    expect(s.info.warnings.join()).toMatch(/-1/);
  });

  it('record count larger than the file (truncated) or smaller → file size wins', async () => {
    const a = await openEdfRecording(await put('more.edf', buildEdf({ signals: two, records: 4, declaredRecords: '6' })));
    expect(a.info.length).toBe(800);
    expect(a.info.warnings.join()).toMatch(/truncated/);
    const b = await openEdfRecording(await put('fewer.edf', buildEdf({ signals: two, records: 4, declaredRecords: '3' })));
    expect(b.info.length).toBe(800);
    expect(b.info.warnings.join()).toMatch(/holds 4/);
  });

  it('trailing partial record → ignored with a warning', async () => {
    const full = buildEdf({ signals: two, records: 3 });
    const padded = new Uint8Array(full.length + 100);
    padded.set(full);
    const s = await openEdfRecording(await put('partial.edf', padded));
    expect(s.info.length).toBe(600);
    expect(s.info.warnings.join()).toMatch(/100 bytes/);
  });

  it('a signal with physical min == max, or digital min >= max, is refused by name; the others stay', async () => {
    const bad = [ecg(), { label: 'Flat', samplesPerRecord: 200, physicalMin: '1', physicalMax: '1' }, { label: 'Broken', samplesPerRecord: 200, digitalMin: '100', digitalMax: '100' }];
    const s = await openEdfRecording(await put('ranges.edf', buildEdf({ signals: bad, records: 2 })));
    expect(s.info.signals.map((x) => x.name)).toEqual(['ECG I']);
    expect(s.info.warnings.join('\n')).toMatch(/'Flat'.*physical minimum and maximum/);
    expect(s.info.warnings.join('\n')).toMatch(/'Broken'.*digital minimum 100 is not below/);
  });

  it('non-ASCII text and a lower-case EDF+C reserved field', async () => {
    const bytes = buildEdf({ signals: [ecg(), { label: 'EDF Annotations', samplesPerRecord: 30, tal: (r) => `+${r}\x14\x14\x00` }], records: 2, reserved: 'edf+c', patient: 'X M 01-JAN-1970 Jos\xe9' });
    const s = await openEdfRecording(await put('latin1.edf', bytes));
    expect(s.info.format).toBe('edf+');
    expect(s.info.comments.join()).toContain('José');
    expect(s.info.warnings.join('\n')).toMatch(/non-ASCII/);
    expect(s.info.warnings.join('\n')).toMatch(/taken as EDF\+C/);
    expect(s.info.signals.map((x) => x.name)).toEqual(['ECG I']);
  });

  it('signals at another rate are not mixed in: a warning names them', async () => {
    const sigs = [{ label: 'Resp', samplesPerRecord: 25 }, ecg(500), { label: 'ECG II', samplesPerRecord: 500 }, { label: 'SpO2', samplesPerRecord: 1 }];
    const s = await openEdfRecording(await put('multirate.edf', buildEdf({ signals: sigs, records: 3, duration: '2' })));
    expect(s.info.fs).toBe(250);
    expect(s.info.signals.map((x) => x.name)).toEqual(['ECG I', 'ECG II']);
    const w = s.info.warnings.join('\n');
    expect(w).toMatch(/'Resp', 12.5 Hz/);
    expect(w).toMatch(/'SpO2', 0.5 Hz/);
    const r = await s.read({ from: 499, to: 502, channels: [1] });
    expect(Array.from(r.signals[0].samples)).toEqual([499 - 10000, 500 - 10000, 501 - 10000]);
  });

  it('EDF+C whose time-keeping TALs show a gap → warning after reading annotations', async () => {
    const tal = (r: number): string => `+${r < 2 ? r : r + 5}\x14\x14\x00`;
    const s = await openEdfRecording(await put('c-gap.edf', buildEdf({ signals: [ecg(), { label: 'EDF Annotations', samplesPerRecord: 10, tal }], records: 3, reserved: 'EDF+C' })));
    expect(await s.embeddedAnnotations()).toEqual([]);
    expect(s.info.warnings.join()).toMatch(/record 2 starts at 7 s.*not at 2 s/);
  });

  it('parses TALs of foreign EDF+ files: notes, durations, record onset offset', async () => {
    const tal = (r: number): string => (r === 0 ? '+0.5\x14\x14\x00+1.5\x14Lights off\x14Close door\x14\x00' : `+${r + 0.5}\x14\x14\x00+${r + 0.75}\x1525.5\x14Apnea\x14\x00+${r + 1}\x14V\x14\x00`);
    const s = await openEdfRecording(await put('foreign.edf', buildEdf({ signals: [ecg(), { label: 'EDF Annotations', samplesPerRecord: 40, tal }], records: 2, reserved: 'EDF+C' })));
    const a = await s.embeddedAnnotations();
    expect(a.map((x) => [x.sample, x.symbol, x.aux])).toEqual([
      [200, '"', 'Lights off'],
      [200, '"', 'Close door'],
      [250, '"', 'Apnea [duration 25.5 s]'],
      [300, 'V', ''],
    ]);
    expect(s.info.startTime?.toISOString()).toBe('2002-03-02T10:20:30.500Z');
  });
});

describe('EDF files refused', () => {
  it('header bytes field disagreeing with the number of signals', async () => {
    const e = await refusal(await put('hb.edf', buildEdf({ signals: [ecg()], records: 2, headerBytes: '768' })));
    expect(e.message).toMatch(/768.*256 × \(1 \+ 1\) = 512/);
  });
  it('ns = 0 and absurd ns', async () => {
    expect((await refusal(await put('ns0.edf', buildEdf({ signals: [ecg()], records: 2, ns: '0' })))).message).toMatch(/0 signals/);
    expect((await refusal(await put('ns9999.edf', buildEdf({ signals: [ecg()], records: 2, ns: '9999', headerBytes: String(256 * 10000) })))).message).toMatch(/9999 signals/);
  });
  it('10 GB declared (records × record size far beyond the file)', async () => {
    const e = await refusal(await put('huge.edf', buildEdf({ signals: [ecg()], records: 2, declaredRecords: '25000000' })));
    expect(e.message).toMatch(/25000000 data records.*header is broken/);
  });
  it('shorter than one data record, header cut, empty, directory, missing', async () => {
    const ok = buildEdf({ signals: [ecg()], records: 2 });
    expect((await refusal(await put('short.edf', ok.subarray(0, 512 + 300)))).message).toMatch(/shorter than one data record/);
    expect((await refusal(await put('cut.edf', ok.subarray(0, 400)))).message).toMatch(/shorter than its 512-byte header/);
    expect((await refusal(await put('empty.edf', new Uint8Array(0)))).message).toMatch(/empty/);
    await mkdir(join(dir, 'adir.edf'));
    expect((await refusal(join(dir, 'adir.edf'))).message).toMatch(/directory/);
    expect((await refusal(join(dir, 'nope.edf'))).message).toMatch(/no such file/);
    expect((await refusal(join(dir, 'adir.edf'), openRecording)).message).toMatch(/directory/);
    expect((await refusal(join(dir, 'nope.edf'), openRecording)).message).toMatch(/no such file/);
  });
  it('non-numeric fields, negative duration, zero duration with signals', async () => {
    expect((await refusal(await put('nn.edf', buildEdf({ signals: [ecg()], records: 2, declaredRecords: '2x' })))).message).toMatch(/not an integer: '2x'/);
    expect((await refusal(await put('dur.edf', buildEdf({ signals: [ecg()], records: 2, duration: '-1' })))).message).toMatch(/duration/);
    expect((await refusal(await put('dur0.edf', buildEdf({ signals: [ecg()], records: 2, duration: '0' })))).message).toMatch(/duration is 0/);
    const s = sigField(1, 8, 0);
    expect((await refusal(await put('spr.edf', patchField(buildEdf({ signals: [ecg()], records: 2 }), s.offset, s.width, 'abc')))).message).toMatch(/samples per data record of signal 0/);
  });
  it('BDF (24-bit) opened directly as EDF', async () => {
    const b = buildEdf({ signals: [ecg()], records: 2 });
    b.set([0xff, ...new TextEncoder().encode('BIOSEMI')], 0);
    expect((await refusal(await put('x.bdf', b))).message).toMatch(/BDF.*not supported/);
  });
  it('every signal unusable', async () => {
    const e = await refusal(await put('none.edf', buildEdf({ signals: [{ label: 'X', samplesPerRecord: 10, physicalMin: '0', physicalMax: '0' }], records: 2 })));
    expect(e.message).toMatch(/no usable signal/);
  });
  it('EDF+D whose records overlap, lack a time-keeping TAL, or that has no annotation signal', async () => {
    const ann = (tal: (r: number) => string): { label: string; samplesPerRecord: number; tal: (r: number) => string } => ({ label: 'EDF Annotations', samplesPerRecord: 20, tal });
    const overlap = buildEdf({ signals: [ecg(), ann((r) => `+${r * 0.5}\x14\x14\x00`)], records: 3, reserved: 'EDF+D' });
    expect((await refusal(await put('d-overlap.edf', overlap))).message).toMatch(/data record 1 starts at 0.5 s, before data record 0 ends/);
    const missing = buildEdf({ signals: [ecg(), ann((r) => (r === 1 ? '+1\x14note\x14\x00' : `+${r}\x14\x14\x00`))], records: 3, reserved: 'EDF+D' });
    expect((await refusal(await put('d-missing.edf', missing))).message).toMatch(/data record 1 has no time-keeping TAL/);
    const none = buildEdf({ signals: [ecg()], records: 3, reserved: 'EDF+D' });
    expect((await refusal(await put('d-none.edf', none))).message).toMatch(/EDF\+D.*no 'EDF Annotations' signal/);
  });
});

describe('EDF+D (discontinuous)', () => {
  it('a huge gap: the recording is long but sparse; one read is bounded, windows still work', async () => {
    const s = await openEdfRecording(await put('d-sparse.edf', buildEdf({
      signals: [{ label: 'ECG', samplesPerRecord: 1000, digitalMin: '-32767' }, { label: 'EDF Annotations', samplesPerRecord: 10, tal: (r) => `+${r * 800_000}\x14\x14\x00` }],
      records: 2,
      reserved: 'EDF+D',
    })));
    expect(s.info.length).toBe(800_001_000);
    await expect(s.read()).rejects.toThrow(/read it in pieces/);
    const end = await s.read({ from: 800_000_998, to: 800_001_000 });
    expect(Array.from(end.signals[0].samples)).toEqual([((1000 + 998) % 20000) - 10000, ((1000 + 999) % 20000) - 10000]);
    expect(Array.from((await s.read({ from: 999, to: 1001 })).signals[0].samples)).toEqual([999 - 10000, -32768]);
  });

  // Records start at 10, 11, 13.5 and 14.5 s: a 1.5 s gap after the second record.
  const onsets = [10, 11, 13.5, 14.5];
  const build = (digitalMin: string): Uint8Array => buildEdf({
    signals: [
      { label: 'ECG', samplesPerRecord: 100, digitalMin, value: (r, i) => 1000 * r + i },
      { label: 'EDF Annotations', samplesPerRecord: 30, tal: (r) => `+${onsets[r]}\x14\x14\x00${r === 2 ? '+13.75\x14V\x14\x00' : ''}` },
    ],
    records: 4,
    reserved: 'EDF+D',
  });

  it.each([['-32767', Int16Array, -32768], ['-32768', Int32Array, -2147483648]])('digital minimum %s: gaps are invalid samples, records at their time-keeping onsets', async (digitalMin, type, invalid) => {
    const s = await openEdfRecording(await put(`d${digitalMin}.edf`, build(digitalMin)));
    expect(s.info.format).toBe('edf+');
    expect(s.info.fs).toBe(100);
    expect(s.info.length).toBe(550); // 10 s .. 15.5 s
    expect(s.info.startTime?.toISOString()).toBe('2002-03-02T10:20:40.000Z');
    expect(s.info.warnings.join()).toMatch(/1 gaps.*1.5 s/);
    expect(s.info.signals[0].invalidValue).toBe(invalid);
    const all = (await s.read()).signals[0];
    expect(all.samples).toBeInstanceOf(type);
    const v = Array.from(all.samples);
    expect(v.slice(0, 3)).toEqual([0, 1, 2]);
    expect(v.slice(198, 202)).toEqual([1098, 1099, invalid, invalid]);
    expect(v.slice(349, 351)).toEqual([invalid, 2000]);
    expect(v.slice(449, 452)).toEqual([2099, 3000, 3001]);
    expect(toPhysical(all)[300]).toBeNaN();
    // Windows inside a gap, across a gap, at the end.
    expect(Array.from((await s.read({ from: 260, to: 270 })).signals[0].samples)).toEqual(new Array(10).fill(invalid));
    expect(Array.from((await s.read({ from: 199, to: 352 })).signals[0].samples)).toEqual(v.slice(199, 352));
    expect(Array.from((await s.read({ from: 549, to: 550 })).signals[0].samples)).toEqual([3099]);
    const anns = await s.embeddedAnnotations();
    expect(anns.map((a) => [a.sample, a.symbol])).toEqual([[375, 'V']]);
  });
});
