import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPhysical, type Recording, type RecordingSource } from '../../../src-main/domain/recording.js';
import { FormatError, openRecording } from '../../../src-main/formats/index.js';
import { crc16Ccitt, openIshneRecording, writeIshne } from '../../../src-main/formats/ishne/index.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'ecg-ishne-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function refusal(p: string): Promise<FormatError> {
  try {
    const s = await openIshneRecording(p);
    await s.read();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message).toContain(p);
    return e as FormatError;
  }
  throw new Error(`${p} was accepted`);
}

/** Rewrite the header CRC after patching header bytes, so a test reaches the check after the CRC. */
function fixCrc(b: Uint8Array): Uint8Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ecgOffset = v.getInt32(10 + 12, true);
  v.setUint16(8, crc16Ccitt(b.subarray(10, ecgOffset)), true);
  return b;
}

it('CRC-16 CCITT (0x1021, init 0xFFFF) gives the standard check value for "123456789"', () => {
  expect(crc16Ccitt(new TextEncoder().encode('123456789'))).toBe(0x29b1);
});

describeMitdb('ISHNE round trip of MIT-BIH record 100', () => {
  let src: RecordingSource;
  let full: Recording;
  let path: string;
  let ishne: RecordingSource;
  let bytes: Uint8Array;

  beforeAll(async () => {
    src = await openRecording(mitdbRecord('100'));
    full = await src.read();
    path = join(dir, '100.ecg');
    await writeIshne(path, full, { firstName: 'Record', lastName: 'Hundred' });
    ishne = await openRecording(path);
    bytes = new Uint8Array(await readFile(path));
  });

  it('keeps rate, length and lead names; header fields are where the standard puts them', () => {
    expect(ishne.info.format).toBe('ishne');
    expect(ishne.info.fs).toBe(360);
    expect(ishne.info.length).toBe(src.info.length);
    expect(ishne.info.signals.map((s) => s.name)).toEqual(['MLII', 'V5']);
    expect(ishne.info.warnings).toEqual([]);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('ISHNE1.0');
    expect(v.getInt32(10 + 4, true)).toBe(650_000); // samples per lead
    expect(v.getInt32(10 + 8, true)).toBe(522); // variable block offset
    expect(v.getInt16(10 + 146, true)).toBe(2); // leads
    expect(v.getInt16(10 + 196, true)).toBe(5000); // 200 adu/mV = 5000 nV per unit
    expect(v.getInt16(10 + 262, true)).toBe(360);
    expect(bytes.length).toBe(v.getInt32(10 + 12, true) + 650_000 * 2 * 2);
    expect(ishne.info.comments.join()).toContain('Record Hundred');
  });

  it('gives back identical physical values', async () => {
    const back = await ishne.read();
    for (let c = 0; c < 2; c++) {
      const a = toPhysical(back.signals[c]);
      const b = toPhysical(full.signals[c]);
      expect(a.length).toBe(b.length);
      let differ = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++; // vitest's deep equality is slow on 650k elements
      expect(differ).toBe(0);
    }
  });

  it('reads windows identically to the full read', async () => {
    const all = await ishne.read();
    for (const [from, to] of [[0, 1], [123_456, 127_056], [649_990, 650_000]]) {
      const w = await ishne.read({ from, to, channels: [1] });
      expect(w.signals[0].samples).toEqual(all.signals[1].samples.subarray(from, to));
    }
    await expect(ishne.read({ from: 0, to: 650_001 })).rejects.toBeInstanceOf(FormatError);
  });

  it('refuses a wrong CRC, saying expected and found', async () => {
    const b = Uint8Array.from(bytes);
    b[10 + 18] ^= 0x20; // change a letter of the first name
    await writeFile(join(dir, 'crc.ecg'), b);
    const e = await refusal(join(dir, 'crc.ecg'));
    const stored = new DataView(b.buffer).getUint16(8, true).toString(16).toUpperCase().padStart(4, '0');
    const computed = crc16Ccitt(b.subarray(10, 522 + new DataView(b.buffer).getInt32(10, true))).toString(16).toUpperCase().padStart(4, '0');
    expect(e.message).toContain(`expected 0x${computed}`);
    expect(e.message).toContain(`found 0x${stored}`);
  });

  it('refuses a truncated sample block', async () => {
    await writeFile(join(dir, 'trunc.ecg'), bytes.subarray(0, bytes.length - 1000));
    expect((await refusal(join(dir, 'trunc.ecg'))).message).toMatch(/truncated.*650000 samples per lead/);
  });

  it('refuses an absurd declared length (2e9 samples per lead ≈ 8 GB)', async () => {
    const b = Uint8Array.from(bytes);
    new DataView(b.buffer).setInt32(10 + 4, 2_000_000_000, true);
    await writeFile(join(dir, 'huge.ecg'), fixCrc(b));
    expect((await refusal(join(dir, 'huge.ecg'))).message).toMatch(/2000000000 samples per lead/);
  });

  it('refuses bad lead counts, rates and offsets', async () => {
    const patch = async (name: string, f: (v: DataView) => void): Promise<FormatError> => {
      const b = Uint8Array.from(bytes);
      f(new DataView(b.buffer));
      await writeFile(join(dir, name), fixCrc(b));
      return refusal(join(dir, name));
    };
    expect((await patch('leads0.ecg', (v) => v.setInt16(10 + 146, 0, true))).message).toMatch(/number of leads is 0/);
    expect((await patch('leads13.ecg', (v) => v.setInt16(10 + 146, 13, true))).message).toMatch(/number of leads is 13/);
    expect((await patch('fs0.ecg', (v) => v.setInt16(10 + 262, 0, true))).message).toMatch(/sampling rate is 0/);
    expect((await patch('res.ecg', (v) => v.setInt16(10 + 196, -5, true))).message).toMatch(/resolution of lead 0 is -5/);
    expect((await patch('neg.ecg', (v) => v.setInt32(10 + 4, -3, true))).message).toMatch(/samples per lead is -3/);
    // An ECG offset beyond the file cannot be CRC-fixed by reading; refused before the CRC.
    const b = Uint8Array.from(bytes);
    new DataView(b.buffer).setInt32(10 + 12, 2_000_000_000, true);
    await writeFile(join(dir, 'off.ecg'), b);
    expect((await refusal(join(dir, 'off.ecg'))).message).toMatch(/ECG block offset 2000000000 is beyond the end/);
  });

  it('infers the length when the header says 0 samples, with a warning', async () => {
    const b = Uint8Array.from(bytes);
    new DataView(b.buffer).setInt32(10 + 4, 0, true);
    await writeFile(join(dir, 'zero.ecg'), fixCrc(b));
    const s = await openIshneRecording(join(dir, 'zero.ecg'));
    expect(s.info.length).toBe(650_000);
    expect(s.info.warnings.join()).toMatch(/0 ECG samples per lead/);
  });
});

describe('ISHNE files refused', () => {
  it('empty file, short file, wrong magic, directory, missing file', async () => {
    await writeFile(join(dir, 'empty.ecg'), new Uint8Array(0));
    expect((await refusal(join(dir, 'empty.ecg'))).message).toMatch(/empty/);
    await writeFile(join(dir, 'short.ecg'), new TextEncoder().encode('ISHNE1.0 and nothing else'));
    expect((await refusal(join(dir, 'short.ecg'))).message).toMatch(/shorter than the 522-byte ISHNE header/);
    await writeFile(join(dir, 'magic.ecg'), new Uint8Array(600).fill(65));
    expect((await refusal(join(dir, 'magic.ecg'))).message).toMatch(/not an ISHNE 1.0 file/);
    await mkdir(join(dir, 'd.ecg'));
    expect((await refusal(join(dir, 'd.ecg'))).message).toMatch(/directory/);
    expect((await refusal(join(dir, 'missing.ecg'))).message).toMatch(/no such file/);
  });
});

describe('ISHNE writer', () => {
  it('rescales samples that do not fit the lossless path (Int32, fractional gain) within one resolution step', async () => {
    const n = 1000;
    const samples = new Int32Array(n).map((_, i) => Math.round(2_500_000 * Math.sin(i / 30)));
    samples[7] = -2147483648;
    const info = { name: 'x', path: 'x', format: 'csv' as const, fs: 500, length: n, startTime: new Date(Date.UTC(2020, 4, 6, 7, 8, 9)), warnings: [], comments: [], signals: [] };
    const rec: Recording = { info, from: 0, to: n, signals: [{ name: 'V2', units: 'mV', gain: 1e6, baseline: 0, adcResolution: 32, adcZero: 0, storage: 'csv', invalidValue: -2147483648, samples }] };
    await writeIshne(join(dir, 'scaled.ecg'), rec);
    const s = await openIshneRecording(join(dir, 'scaled.ecg'));
    expect(s.info.startTime?.toISOString()).toBe('2020-05-06T07:08:09.000Z');
    expect(s.info.signals[0].name).toBe('V2');
    const back = toPhysical((await s.read()).signals[0]);
    const orig = toPhysical(rec.signals[0]);
    const step = 1 / s.info.signals[0].gain;
    expect(back[7]).toBeNaN();
    for (let i = 0; i < n; i++) if (i !== 7) expect(Math.abs(back[i] - orig[i])).toBeLessThanOrEqual(step);
  });
});
