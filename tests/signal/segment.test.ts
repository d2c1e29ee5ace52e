import { beforeAll, describe, expect, it } from 'vitest';
import { RR_FEATURE_NAMES, segmentBeats, SignalError } from '../../src-main/signal/index.js';
import { describeMitdb } from '../helpers/data.js';
import { loadRecord, type LoadedRecord } from './records.js';

const F = RR_FEATURE_NAMES.length;
const feature = (features: Float32Array, beat: number, name: (typeof RR_FEATURE_NAMES)[number]): number =>
  features[beat * F + RR_FEATURE_NAMES.indexOf(name)];

describeMitdb('segmentBeats on record 100', () => {
  let rec: LoadedRecord;
  beforeAll(async () => { rec = await loadRecord('100'); });

  it('cuts one window per beat and lead at the recording rate, the fiducial sample at index round(before·fs)', () => {
    const s = segmentBeats(rec.leads, rec.fs, rec.beats);
    expect(s.count).toBe(rec.beats.length);
    expect(s.leads).toBe(2);
    expect(s.windowLength).toBe(90 + 1 + 162); // 0.25 s + 0.45 s at 360 Hz
    expect(s.windows).toBeInstanceOf(Float32Array);
    expect(s.windows.length).toBe(s.count * 2 * s.windowLength);
    for (const i of [5, 1000, s.count - 5]) {
      for (let l = 0; l < 2; l++) {
        const w = s.windows.subarray((i * 2 + l) * s.windowLength, (i * 2 + l + 1) * s.windowLength);
        expect(w[90]).toBe(rec.leads[l][rec.beats[i]]);
        expect(w[0]).toBe(rec.leads[l][rec.beats[i] - 90]);
        expect(w[s.windowLength - 1]).toBe(rec.leads[l][rec.beats[i] + 162]);
      }
    }
  });

  it('resamples the windows to a target rate (a 360 Hz model on a 250 Hz window and back)', () => {
    const s = segmentBeats(rec.leads[0], rec.fs, rec.beats, { targetFs: 250, before: 0.2, after: 0.4 });
    expect(s.fs).toBe(250);
    expect(s.leads).toBe(1);
    expect(s.windowLength).toBe(50 + 1 + 100);
    expect(s.windows.length).toBe(s.count * 151);
    // The R peak is still the window's extreme near its centre: record 100's MLII beats are upright.
    let centred = 0;
    for (let i = 1; i < s.count - 1; i++) {
      const w = s.windows.subarray(i * 151, (i + 1) * 151);
      let at = 0;
      for (let k = 1; k < 151; k++) if (w[k] > w[at]) at = k;
      if (Math.abs(at - 50) <= 3) centred++;
    }
    expect(centred / s.count).toBeGreaterThan(0.98);
  });

  it('computes RR features in seconds and their ratios', () => {
    const s = segmentBeats(rec.leads, rec.fs, rec.beats);
    expect(s.features.length).toBe(s.count * F);
    expect(s.featureNames).toEqual(RR_FEATURE_NAMES);
    const b = rec.beats;
    const avg = (b[b.length - 1] - b[0]) / (b.length - 1) / rec.fs;
    for (const i of [1, 11, 500, s.count - 2]) {
      const pre = (b[i] - b[i - 1]) / rec.fs, post = (b[i + 1] - b[i]) / rec.fs;
      let local = 0;
      const k = Math.min(i, 10);
      for (let j = i - k + 1; j <= i; j++) local += (b[j] - b[j - 1]) / rec.fs;
      local /= k;
      expect(feature(s.features, i, 'preRR')).toBeCloseTo(pre, 5);
      expect(feature(s.features, i, 'postRR')).toBeCloseTo(post, 5);
      expect(feature(s.features, i, 'localRR')).toBeCloseTo(local, 5);
      expect(feature(s.features, i, 'averageRR')).toBeCloseTo(avg, 5);
      expect(feature(s.features, i, 'preRR/averageRR')).toBeCloseTo(pre / avg, 4);
      expect(feature(s.features, i, 'postRR/averageRR')).toBeCloseTo(post / avg, 4);
      expect(feature(s.features, i, 'preRR/localRR')).toBeCloseTo(pre / local, 4);
      expect(feature(s.features, i, 'postRR/preRR')).toBeCloseTo(post / pre, 4);
    }
    // record 100's average heart rate is about 76 bpm
    expect(60 / avg).toBeGreaterThan(70);
    expect(60 / avg).toBeLessThan(80);
    // premature atrial beats (A) come early: their preRR/averageRR is well below that of normal beats
    const aIdx: number[] = [];
    const beatAnns = rec.atr.filter((a) => b.includes(a.sample));
    beatAnns.forEach((a, i) => { if (a.symbol === 'A') aIdx.push(i); });
    expect(aIdx.length).toBe(33);
    const early = aIdx.filter((i) => feature(s.features, i, 'preRR/averageRR') < 0.85).length;
    expect(early / aIdx.length).toBeGreaterThan(0.8);
  });

  it('repeats the edge samples for windows that run past the recording', () => {
    const s = segmentBeats(rec.leads[0], rec.fs, Int32Array.of(10, rec.length - 5));
    expect(s.windows[0]).toBe(rec.leads[0][0]);
    expect(s.windows[2 * s.windowLength - 1]).toBe(rec.leads[0][rec.length - 1]);
    expect(feature(s.features, 0, 'preRR')).toBe(feature(s.features, 0, 'postRR')); // one interval only
  });
});

describe('segmentBeats edge cases', () => {
  const x = new Float32Array(1000);
  it('handles no beats and a single beat', () => {
    expect(segmentBeats(x, 100, []).count).toBe(0);
    const one = segmentBeats(x, 100, [500], { averageRr: 0.8 });
    expect(one.count).toBe(1);
    expect(feature(one.features, 0, 'averageRR')).toBeCloseTo(0.8, 6);
    expect(Number.isNaN(feature(one.features, 0, 'preRR'))).toBe(true); // no interval to measure
  });
  it('refuses beats outside the recording, unsorted beats and bad windows with a SignalError', () => {
    expect(() => segmentBeats(x, 100, [1000])).toThrow(/outside the recording/);
    expect(() => segmentBeats(x, 100, [20, 10])).toThrow(/increase strictly/);
    expect(() => segmentBeats(x, 100, [10], { before: -1 })).toThrow(SignalError);
    expect(() => segmentBeats(x, 0, [10])).toThrow(SignalError);
    expect(() => segmentBeats([x, new Float32Array(5)], 100, [10])).toThrow(/unequal length/);
  });
});
