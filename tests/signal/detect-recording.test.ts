import { expect, it } from 'vitest';
import type { Recording, RecordingSource, SampleWindow } from '../../src-main/domain/recording.js';
import { detectQrs, SignalError } from '../../src-main/signal/index.js';
import { detectQrsInRecording, unitScaleToMv } from '../../src-main/signal/detect-recording.js';
import { openRecording } from '../../src-main/formats/index.js';
import { describeMitdb, mitdbRecord } from '../helpers/data.js';
import { gaussian, loadRecord } from './records.js';

it('unitScaleToMv knows mV, µV, uV, V', () => {
  expect(unitScaleToMv('mV')).toBe(1);
  expect(unitScaleToMv('uV')).toBe(1e-3);
  expect(unitScaleToMv('µV')).toBe(1e-3);
  expect(unitScaleToMv(' V ')).toBe(1e3);
  expect(unitScaleToMv('mmHg')).toBeUndefined();
});

/** An in-memory source whose leads are in µV (as many EDF files are), read window by window. */
function microvoltSource(leads: Float32Array[], fs: number): RecordingSource {
  const info = {
    name: 'uv', path: '<memory>', format: 'edf' as const, fs, length: leads[0].length, startTime: null, warnings: [], comments: [],
    signals: leads.map((_, i) => ({ name: `ECG${i}`, units: 'uV', gain: 1, baseline: 0, adcResolution: 16, adcZero: 0, storage: 'edf16' })),
  };
  return {
    info,
    async read(w: SampleWindow = {}): Promise<Recording> {
      const from = w.from ?? 0, to = w.to ?? info.length;
      const chans = w.channels ?? leads.map((_, i) => i);
      return { info, from, to, signals: chans.map((c) => ({ ...info.signals[c], samples: Int32Array.from(leads[c].subarray(from, to), (v) => Math.round(v * 1000)) })) };
    },
    async embeddedAnnotations() { return []; },
    async close() {},
  };
}

describeMitdb('detectQrsInRecording', () => {
  it('reads a WFDB record window by window and finds exactly what detectQrs finds on the whole arrays', async () => {
    const rec = await loadRecord('105');
    const src = await openRecording(mitdbRecord('105'));
    const progress: number[] = [];
    const beats = await detectQrsInRecording(src, { windowSeconds: 37, onProgress: (f) => progress.push(f) });
    expect(beats).toEqual(detectQrs(rec.leads, rec.fs));
    expect(progress[progress.length - 1]).toBe(1);
    await expect(detectQrsInRecording(src, { leads: [2] })).rejects.toThrow(SignalError);
  });

  it('passes the noise gate its options: a recording of noise gives no beats and reports its spans as unreadable', async () => {
    const g = gaussian(4);
    const noise = [0, 1].map(() => Float32Array.from({ length: 360 * 60 }, () => 0.4 * g()));
    const spans: [number, number][] = [];
    const beats = await detectQrsInRecording(microvoltSource(noise, 360), { windowSeconds: 7, noiseGate: { onUnreadable: (from, to) => spans.push([from, to]) } });
    expect(beats).toHaveLength(0);
    // one run of dropped detections over the whole minute
    expect(spans.reduce((s, [a, b]) => s + (b - a), 0)).toBeGreaterThan(0.9 * 360 * 60);
    expect((await detectQrsInRecording(microvoltSource(noise, 360), { noiseGate: false })).length).toBeGreaterThan(60);
  });

  it('gives the same beats for a recording stored in µV as in mV', async () => {
    const rec = await loadRecord('100');
    const leads = rec.leads.map((l) => l.slice(0, 360 * 120));
    const mv = detectQrs(leads.map((l) => Float32Array.from(l, (v) => Math.round(v * 1000) / 1000)), 360);
    const uv = await detectQrsInRecording(microvoltSource(leads, 360));
    expect(uv.length).toBeGreaterThan(140);
    expect(uv).toEqual(mv);
  });
});
