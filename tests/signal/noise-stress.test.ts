/**
 * The EC57 noise stress test records (signal/noise-stress.ts, evaluation/noise-stress-records.ts) and the
 * `noise-stress` command, on MIT-BIH 119 with the NSTDB electrode-motion noise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src-main/cli/main.js';
import type { CliIo } from '../../src-main/cli/command.js';
import { toPhysical } from '../../src-main/domain/recording.js';
import { makeStressRecord, stressRecordName, type StressRecord } from '../../src-main/evaluation/noise-stress-records.js';
import { openRecording, readAnnotations } from '../../src-main/formats/index.js';
import { addStressNoise, noiseGain, rmsAmplitude, stressProtocol } from '../../src-main/signal/noise-stress.js';
import { describeMitdb, mitdbRecord, NSTDB_DIR } from '../helpers/data.js';

describe('noise stress protocol', () => {
  it('names records as NSTDB does', () => {
    expect([24, 18, 6, 0, -6].map((s) => stressRecordName('118', s))).toEqual(['118e24', '118e18', '118e06', '118e00', '118e_6']);
  });

  it('scales the noise so that (QRS p-p)² / 8 over the noise power is the SNR', () => {
    for (const snr of [24, 6, 0, -6]) {
      const g = noiseGain(snr, 1.7, 0.05);
      expect(10 * Math.log10(1.7 ** 2 / 8 / (g * 0.05) ** 2)).toBeCloseTo(snr, 10);
    }
    expect(() => noiseGain(6, 1, 0)).toThrow(/noise amplitude is zero/);
  });

  it('is clean for 5 minutes, then noisy and clean by turns every 2 minutes to the end', () => {
    const p = stressProtocol(650000, 360);
    expect(p[0]).toEqual({ from: 0, to: 108000, noisy: false });
    expect(p[1]).toEqual({ from: 108000, to: 151200, noisy: true });
    expect(p[2]).toEqual({ from: 151200, to: 194400, noisy: false });
    expect(p[p.length - 1].to).toBe(650000);
    expect(p.every((s, i) => i < 2 || s.noisy !== p[i - 1].noisy)).toBe(true);
  });

  it('adds no step where the noise switches on or off, and where the noise record wraps round', () => {
    const x = new Float32Array(100);
    const n = Float32Array.from({ length: 30 }, (_, i) => (i % 7) - 3 + 10); // an offset noise: a naive switch would step by 10
    const segments = [{ from: 0, to: 20, noisy: false }, { from: 20, to: 50, noisy: true }, { from: 50, to: 100, noisy: false }];
    const [y] = addStressNoise([x], [n], { gains: [2], segments });
    for (let t = 1; t < 100; t++) expect(Math.abs(y[t] - y[t - 1]), `sample ${t}`).toBeLessThanOrEqual(2 * 6 + 1e-6);
    for (let t = 51; t < 100; t++) expect(y[t]).toBe(y[50]); // clean again: a constant offset only
    expect(y.slice(0, 20).every((v) => v === 0)).toBe(true);
  });
});

describeMitdb('noise stress records from MIT-BIH 119 and NSTDB em', () => {
  let dir: string;
  let made: StressRecord;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-nst-'));
    made = await makeStressRecord(mitdbRecord('119'), join(NSTDB_DIR, 'em'), 6, dir);
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes 119e06: the clean lead-in sample for sample, then the noise record\'s own samples at the gain for 6 dB, an offset only between noisy segments', async () => {
    expect(made.name).toBe('119e06');
    const orig = await openRecording(mitdbRecord('119'));
    const gen = await openRecording(made.path);
    try {
      expect([gen.info.fs, gen.info.length, gen.info.signals.length]).toEqual([orig.info.fs, orig.info.length, 2]);
      expect(gen.info.comments.join(' ')).toMatch(/119 \+ em at 6 dB/);
      const a = await orig.read(), b = await gen.read();
      const noiseSrc = await openRecording(join(NSTDB_DIR, 'em'));
      const em = await noiseSrc.read();
      await noiseSrc.close();
      for (let s = 0; s < 2; s++) {
        // Same ADC scale: the first 5 minutes are the original samples.
        expect(Array.from(b.signals[s].samples.subarray(0, 108000))).toEqual(Array.from(a.signals[s].samples.subarray(0, 108000)));
        const x = toPhysical(a.signals[s]), y = toPhysical(b.signals[s]);
        // The gain gives 6 dB on nst's terms: noise amplitude measured on the noise record's first 300 one-second
        // windows (trimmed), and the added noise is that gain times the noise record's own samples at the same
        // times (em signal s for signal s), plus one constant, to the ADC step.
        const n = toPhysical(em.signals[s]);
        const g = made.signals[s].gain;
        expect(10 * Math.log10(made.signals[s].qrsAmplitude ** 2 / 8 / (g * rmsAmplitude(n, 360)) ** 2)).toBeCloseTo(6, 9);
        const c = y[108000] - x[108000] - g * n[108000];
        for (let t = 108000; t < 151200; t += 31) expect(Math.abs(y[t] - x[t] - g * n[t] - c), `sample ${t}`).toBeLessThanOrEqual(1 / 200 + 1e-5);
        // 7:00–9:00 is clean again: the original plus one constant (within the 1/200 mV ADC step).
        const d0 = y[151200] - x[151200];
        for (let t = 151200; t < 194400; t += 97) expect(Math.abs(y[t] - x[t] - d0)).toBeLessThanOrEqual(1 / 200 + 1e-6);
      }
      expect((await readAnnotations(gen, 'atr')).length).toBe((await readAnnotations(orig, 'atr')).length);
    } finally {
      await orig.close();
      await gen.close();
    }
  });

  it('works at another sampling rate: 119 at 250 Hz gets the 360-Hz noise resampled, at the gain for the SNR', async () => {
    const orig = await openRecording(mitdbRecord('119'));
    const rec = await orig.read({ to: 360 * 600 }); // 10 minutes: lead-in and the first noisy and clean segments
    const atr = await readAnnotations(orig, 'atr');
    await orig.close();
    const { resample } = await import('../../src-main/signal/resample.js');
    const { writeWfdbRecord } = await import('../../src-main/formats/wfdb/write.js');
    const { writeWfdbAnnotationFile } = await import('../../src-main/formats/wfdb/annotations.js');
    const sig = rec.signals.map((sg) => ({ samples: Int16Array.from(resample(toPhysical(sg), 360, 250), (v) => Math.round(v * 200 + 1024)), format: 16, gain: 200, baseline: 1024, units: 'mV', description: sg.name }));
    await writeWfdbRecord(dir, { name: 'r250', fs: 250, signals: sig });
    await writeWfdbAnnotationFile(join(dir, 'r250.atr'), atr.filter((a) => a.sample < 360 * 600).map((a) => ({ ...a, sample: Math.round((a.sample * 250) / 360) })));
    const m = await makeStressRecord(join(dir, 'r250'), join(NSTDB_DIR, 'em'), 12, dir);
    expect(m.name).toBe('r250e12');
    expect(m.noisySamples).toBe(250 * 180); // 5:00–7:00 noisy, 7:00–9:00 clean, 9:00–10:00 noisy
    const gen = await openRecording(m.path);
    const y = toPhysical((await gen.read({ channels: [0] })).signals[0]);
    expect([gen.info.fs, gen.info.length]).toEqual([250, 150000]);
    await gen.close();
    const noiseSrc = await openRecording(join(NSTDB_DIR, 'em'));
    const n = Float32Array.from(resample(toPhysical((await noiseSrc.read({ channels: [0] })).signals[0]), 360, 250));
    await noiseSrc.close();
    const x = toPhysical({ ...rec.signals[0], samples: sig[0].samples, gain: 200, baseline: 1024 });
    const g = m.signals[0].gain;
    expect(10 * Math.log10(m.signals[0].qrsAmplitude ** 2 / 8 / (g * rmsAmplitude(n, 250)) ** 2)).toBeCloseTo(12, 9);
    const c = y[75000] - x[75000] - g * n[75000];
    for (let t = 75000; t < 105000; t += 17) expect(Math.abs(y[t] - x[t] - g * n[t] - c), `sample ${t}`).toBeLessThanOrEqual(1 / 200 + 1e-5);
  });

  it('refuses a flat noise record, naming it and the signal', async () => {
    const { writeWfdbRecord } = await import('../../src-main/formats/wfdb/write.js');
    await writeWfdbRecord(dir, { name: 'flat', fs: 360, signals: [{ samples: new Int16Array(360 * 10), format: 16, gain: 200 }] });
    await expect(makeStressRecord(mitdbRecord('119'), join(dir, 'flat'), 6, dir)).rejects.toThrow(/flat signal 0: noise amplitude is zero: cannot scale it to 6 dB/);
  });

  it('noise-stress --detect: the detector holds at 24 dB and loses +P at -6 dB; bad input is named', async () => {
    let out = '', err = '';
    const io: CliIo = { out: async (t) => { out += t; }, err: (t) => { err += `${t}\n`; }, progress: () => {} };
    const code = await runCli(['noise-stress', mitdbRecord('119'), '--noise', join(NSTDB_DIR, 'em'), '--out', dir, '--snr', '24,-6', '--detect', '--json'], io);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.records.map((r: StressRecord) => r.name)).toEqual(['119e24', '119e_6']);
    const [clean, e24, e_6] = j.figures;
    expect([clean.snr, e24.snr, e_6.snr]).toEqual([null, 24, -6]);
    expect(clean.records).toEqual(['119']);
    for (const r of [clean, e24]) { expect(r.qrsSe).toBeGreaterThanOrEqual(99.5); expect(r.qrsPpv).toBeGreaterThanOrEqual(99.5); }
    expect(e_6.qrsPpv).toBeLessThan(e24.qrsPpv - 10);
    const bad = async (args: string[]): Promise<string> => { err = ''; expect(await runCli(['noise-stress', mitdbRecord('119'), ...args], io)).toBe(1); return err; };
    expect(await bad(['--out', dir])).toMatch(/needs --noise/);
    expect(await bad(['--noise', join(NSTDB_DIR, 'em'), '--out', dir, '--snr', '6,x'])).toMatch(/--snr must be comma-separated whole dB/);
    expect(await bad(['--noise', join(NSTDB_DIR, 'em'), '--out', dir, '--detect', '--model', 'cnn'])).toMatch(/--detect and --model are exclusive/);
  });
});
