/**
 * Every WFDB storage format by round trip on real MIT-BIH samples: record 100's digital samples are written
 * with our writer in format X (scaled to use the format's width, clipped to its range where needed), read
 * back, and compared exactly; the checksums and initial values in the written header must match what the
 * reader returns; and every window read equals the same slice of the full read. Layouts: two signals in one
 * file, three signals with skews and a byte offset (packing groups that straddle frames), several files,
 * multi-frequency frames, and multi-segment records (fixed and variable layout).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { DigitalSamples, RecordingSource } from '../../../src-main/domain/recording.js';
import {
  clipToFormat, formatWfdbHeader, openWfdbRecord, readWfdbHeaderFile, writeWfdbMultiSegmentHeader, writeWfdbRecord,
} from '../../../src-main/formats/wfdb/index.js';
import { describeMitdb, mitdbRecord } from '../../helpers/data.js';
import { firstDifference, record100, tempDir, testWindows } from './helpers.js';

const FORMATS = [212, 16, 61, 80, 160, 8, 310, 311, 24, 32] as const;
const ADC_ZERO = 1024; // record 100's ADC zero (11-bit ADC, offset binary)

/** Record 100's samples as stored in format `code`: centred and scaled to span the format, then clipped. */
function forFormat(code: number, v: ArrayLike<number>): Int32Array {
  const scaled = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const c = v[i] - ADC_ZERO;
    switch (code) {
      case 212: case 8: scaled[i] = v[i]; break; // as recorded (format 8 then slew-limits)
      case 80: scaled[i] = c >> 2; break;
      case 310: case 311: scaled[i] = c; break;
      case 16: case 61: case 160: scaled[i] = c * 32; break;
      case 24: scaled[i] = c * 4096; break;
      case 32: scaled[i] = c * 2 ** 20; break;
    }
  }
  return clipToFormat(code, scaled);
}

/** Independent 16-bit checksum of a signal (WFDB: sum of samples modulo 2^16, signed). */
function checksum(s: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < s.length; i++) c = (c + s[i]) & 0xffff;
  return c >= 0x8000 ? c - 0x10000 : c;
}

async function expectWindowsMatch(src: RecordingSource, full: DigitalSamples[]): Promise<void> {
  const n = src.info.length;
  for (const [from, to] of testWindows(n)) {
    const rec = await src.read({ from, to });
    rec.signals.forEach((s, k) => expect(firstDifference(s.samples, full[k].subarray(from, to)), `signal ${k} window [${from}, ${to})`).toBe(-1));
  }
  // Channel subsets and order.
  const nsig = full.length;
  const reversed = Array.from({ length: nsig }, (_, k) => nsig - 1 - k);
  const rec = await src.read({ from: 3, to: Math.min(n, 1003), channels: reversed });
  rec.signals.forEach((s, k) => expect(firstDifference(s.samples, full[reversed[k]].subarray(3, Math.min(n, 1003)))).toBe(-1));
  const one = await src.read({ from: 1, to: Math.min(n, 10), channels: [nsig - 1] });
  expect(firstDifference(one.signals[0].samples, full[nsig - 1].subarray(1, Math.min(n, 10)))).toBe(-1);
}

describeMitdb('WFDB formats by round trip on record 100', () => {
  const dir = tempDir('wfdb-roundtrip');
  let mlii: DigitalSamples, v5: DigitalSamples;
  beforeAll(async () => {
    [mlii, v5] = await record100();
  });

  for (const code of FORMATS) {
    it(`format ${code}: two signals in one file, whole record, CRLF header`, async () => {
      const inputs = [forFormat(code, mlii), forFormat(code, v5)];
      const name = `two_${code}`;
      await writeWfdbRecord(dir, {
        name, fs: 360, lineEnding: '\r\n', baseTime: '12:30:00', baseDate: '01/02/1980', comments: ['69 M 1085 1629 x1'],
        signals: inputs.map((samples, k) => ({ samples, format: code, description: k ? 'V5' : 'MLII', adcZero: 0, gain: 200 })),
      });
      expect(readFileSync(join(dir, `${name}.hea`), 'latin1')).toContain('\r\n');
      const src = await openWfdbRecord(join(dir, name));
      expect(src.info.length).toBe(650000);
      expect(src.info.fs).toBe(360);
      expect(src.info.signals.map((s) => s.name)).toEqual(['MLII', 'V5']);
      expect(src.info.startTime?.toISOString()).toBe('1980-02-01T12:30:00.000Z');
      const full = (await src.read()).signals.map((s) => s.samples);
      full.forEach((s, k) => expect(firstDifference(s, inputs[k]), `signal ${k}`).toBe(-1));
      // The header we wrote must verify against what the reader returns.
      const header = await readWfdbHeaderFile(join(dir, name));
      header.signals.forEach((spec, k) => {
        expect(spec.checksum).toBe(checksum(full[k]));
        expect(spec.initialValue).toBe(full[k][0]);
      });
      if (code === 212) {
        // Format 212 at the original values must reproduce MIT-BIH's own file byte for byte.
        expect(Buffer.compare(readFileSync(join(dir, `${name}.dat`)), readFileSync(`${mitdbRecord('100')}.dat`))).toBe(0);
      }
      await expectWindowsMatch(src, full);
    });

    it(`format ${code}: three signals with skews 0/3/1, a 7-byte preamble, odd frame count`, async () => {
      const N = 20001;
      const inputs = [forFormat(code, mlii.subarray(0, N)), forFormat(code, v5.subarray(0, N)), forFormat(code, mlii.subarray(N, 2 * N))];
      const name = `skew_${code}`;
      await writeWfdbRecord(dir, {
        name, fs: 360,
        signals: inputs.map((samples, k) => ({ samples, format: code, skew: [0, 3, 1][k], byteOffset: 7, fileName: `${name}.dat` })),
      });
      expect(readFileSync(join(dir, `${name}.hea`), 'latin1')).toMatch(new RegExp(`${name}\\.dat ${code}:3\\+7 `));
      const src = await openWfdbRecord(join(dir, name));
      expect(src.info.length).toBe(N);
      const full = (await src.read()).signals.map((s) => s.samples);
      full.forEach((s, k) => expect(firstDifference(s, inputs[k]), `signal ${k}`).toBe(-1));
      await expectWindowsMatch(src, full);
    });

    it(`format ${code}: signals in two files (format ${code} and 16)`, async () => {
      const N = 30000;
      const a = forFormat(code, mlii.subarray(0, N));
      const b = forFormat(16, v5.subarray(0, N));
      const name = `files_${code}`;
      await writeWfdbRecord(dir, {
        name, fs: 360,
        signals: [{ samples: a, format: code, fileName: `${name}_a.dat` }, { samples: b, format: 16, fileName: `${name}_b.dat` }],
      });
      const src = await openWfdbRecord(join(dir, `${name}.hea`));
      const full = (await src.read()).signals.map((s) => s.samples);
      expect(firstDifference(full[0], a)).toBe(-1);
      expect(firstDifference(full[1], b)).toBe(-1);
      await expectWindowsMatch(src, full);
    });
  }

  for (const code of [212, 16, 310, 311, 8] as const) {
    it(`format ${code}: multi-frequency frames (3, 1 and 2 samples per frame) read at 3 × the frame rate`, async () => {
      const N = 10001;
      const spf = [3, 1, 2];
      const inputs = [forFormat(code, mlii.subarray(0, 3 * N)), forFormat(code, v5.subarray(0, N)), forFormat(code, v5.subarray(N, 3 * N))];
      const name = `spf_${code}`;
      await writeWfdbRecord(dir, { name, fs: 120, signals: inputs.map((samples, k) => ({ samples, format: code, samplesPerFrame: spf[k] })) });
      const src = await openWfdbRecord(join(dir, name));
      expect(src.info.fs).toBe(360);
      expect(src.info.length).toBe(3 * N);
      expect(src.info.warnings.join(' ')).toMatch(/multi-frequency/);
      const full = (await src.read()).signals.map((s) => s.samples);
      // The signal at the highest rate comes back as written; the slower ones repeat each sample (WFDB high-resolution mode).
      expect(firstDifference(full[0], inputs[0])).toBe(-1);
      const header = await readWfdbHeaderFile(join(dir, name));
      expect(header.signals[0].checksum).toBe(checksum(full[0]));
      for (const k of [1, 2]) {
        const expected = new Int32Array(3 * N);
        for (let s = 0; s < 3 * N; s++) expected[s] = inputs[k][Math.floor(s / 3) * spf[k] + Math.floor(((s % 3) * spf[k]) / 3)];
        expect(firstDifference(full[k], expected), `signal ${k}`).toBe(-1);
      }
      await expectWindowsMatch(src, full);
    });
  }

  it('a skew that reaches past the end of the file reads as missing samples', async () => {
    const N = 1000;
    const name = 'skew_past_end';
    await writeWfdbRecord(dir, { name, fs: 360, signals: [{ samples: mlii.subarray(0, N), format: 16 }, { samples: v5.subarray(0, N), format: 16 }] });
    const hea = join(dir, `${name}.hea`);
    const lines = readFileSync(hea, 'latin1').split('\n');
    lines[2] = lines[2].replace(' 16 ', ' 16:2 ');
    writeFileSync(hea, lines.join('\n'));
    const src = await openWfdbRecord(join(dir, name));
    const rec = await src.read();
    expect(firstDifference(rec.signals[0].samples, mlii.subarray(0, N))).toBe(-1);
    expect(firstDifference(rec.signals[1].samples.subarray(0, N - 2), v5.subarray(2, N))).toBe(-1);
    expect([...rec.signals[1].samples.subarray(N - 2)]).toEqual([-32768, -32768]);
    expect(rec.signals[1].invalidValue).toBe(-32768);
  });

  it('multi-segment record, fixed layout, with a null segment: samples concatenate, the gap reads as missing', async () => {
    const cuts = [0, 1000, 5001, 5002];
    const segs: { name: string; length: number }[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const name = `fixed_${k}`;
      await writeWfdbRecord(dir, { name, fs: 360, signals: [mlii, v5].map((s, j) => ({ samples: s.subarray(cuts[k], cuts[k + 1]), format: 212, description: j ? 'V5' : 'MLII' })) });
      segs.push({ name, length: cuts[k + 1] - cuts[k] });
      if (k === 0) segs.push({ name: '~', length: 500 });
    }
    await writeWfdbMultiSegmentHeader(dir, 'fixed', 360, 2, segs);
    const src = await openWfdbRecord(join(dir, 'fixed'));
    expect(src.info.length).toBe(5002 + 500);
    expect(src.info.signals.map((s) => s.name)).toEqual(['MLII', 'V5']);
    const full = (await src.read()).signals.map((s) => s.samples);
    for (const [k, orig] of [mlii, v5].entries()) {
      const expected = new Int32Array(5502);
      expected.set(orig.subarray(0, 1000), 0);
      expected.fill(-32768, 1000, 1500);
      expected.set(orig.subarray(1000, 5002), 1500);
      expect(firstDifference(full[k], expected), `signal ${k}`).toBe(-1);
    }
    await expectWindowsMatch(src, full);
  });

  it('multi-segment record, variable layout: signals matched by name, rescaled to the layout gain, absent ones missing', async () => {
    const N1 = 3000, N2 = 4001;
    // Layout segment: every signal of the record, no samples.
    const layoutSig = (description: string, gain: number, baseline: number) => ({
      fileName: '~', format: 0, samplesPerFrame: 1, skew: 0, byteOffset: 0, gain, baseline, units: 'mV', adcResolution: 11, adcZero: 1024,
      initialValue: 0, checksum: 0, description,
    });
    writeFileSync(join(dir, 'var_layout.hea'), formatWfdbHeader('var_layout', 360, 0, [layoutSig('MLII', 200, 1024), layoutSig('V5', 200, 1024), layoutSig('ABP', 100, 0)]));
    await writeWfdbRecord(dir, { name: 'var_1', fs: 360, signals: [{ samples: mlii.subarray(0, N1), format: 212, description: 'MLII', gain: 200, baseline: 1024 }] });
    // Segment 2 stores MLII at twice the gain around 0: rescaling to the layout's 200 adu/mV, baseline 1024 gives the original values.
    const mlii2 = Int32Array.from(mlii.subarray(N1, N1 + N2), (v) => (v - 1024) * 2);
    await writeWfdbRecord(dir, {
      name: 'var_2', fs: 360,
      signals: [{ samples: v5.subarray(N1, N1 + N2), format: 16, description: 'V5', gain: 200, baseline: 1024 }, { samples: mlii2, format: 16, description: 'MLII', gain: 400, baseline: 0 }],
    });
    await writeWfdbMultiSegmentHeader(dir, 'var', 360, 3, [{ name: 'var_layout', length: 0 }, { name: 'var_1', length: N1 }, { name: 'var_2', length: N2 }]);
    const src = await openWfdbRecord(join(dir, 'var.hea'));
    expect(src.info.signals.map((s) => `${s.name} ${s.gain}`)).toEqual(['MLII 200', 'V5 200', 'ABP 100']);
    expect(src.info.length).toBe(N1 + N2);
    const full = (await src.read()).signals.map((s) => s.samples);
    expect(firstDifference(full[0], mlii.subarray(0, N1 + N2))).toBe(-1);
    const v5Expected = Int32Array.from(v5.subarray(0, N1 + N2));
    v5Expected.fill(-32768, 0, N1);
    expect(firstDifference(full[1], v5Expected)).toBe(-1);
    expect(full[2].every((v) => v === -32768)).toBe(true);
    await expectWindowsMatch(src, full);
  });

  it('the writer refuses samples a format cannot hold instead of wrapping them', async () => {
    await expect(writeWfdbRecord(dir, { name: 'too_big', fs: 360, signals: [{ samples: [0, 2048], format: 212 }] })).rejects.toThrow(/does not fit format 212/);
    await expect(writeWfdbRecord(dir, { name: 'too_steep', fs: 360, signals: [{ samples: [0, 200], format: 8 }] })).rejects.toThrow(/format 8/);
  });
});
